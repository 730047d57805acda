import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { checkPassword } from "../password/policy.js";

/** Applies the password policy, or throws `invalid_request` pointing at `field`. */
export async function acceptablePassword(ctx: AuthContext, password: string, field: string) {
  const result = await checkPassword(password, ctx.config.password);
  if (result.ok) return result.normalized;
  throw new AuthError("invalid_request", `${field}: ${result.message}`, {
    issues: [{ path: [field], message: result.message }],
  });
}
