import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { PENDING_SIGN_IN_PURPOSE } from "../mfa/pending-step.js";
import { clearLoginFailures } from "../ops/rate-limit.js";
import type { RequestInfo } from "../types.js";

/**
 * `auth.api.admin.resetMfa`: an operator turns a user's MFA off (a lost phone and lost recovery
 * codes), after checking who asks by their own means. The second factor, its recovery codes and
 * any pending sign-in steps are deleted; the failure count is cleared too (the operator vouched
 * for the person, and a locked account could not sign in to set MFA up again). Emits
 * `mfa.disabled` with `by: "admin"` when MFA was on, which the audit log records. Returns whether
 * it was on. Throws `not_found` for an unknown user.
 */
export async function resetMfa(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
): Promise<boolean> {
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw new AuthError("not_found", "No such user");
  const wasOn = await ctx.storage.mfa.delete(user.id);
  await ctx.storage.verifications.deleteByUser(user.id, PENDING_SIGN_IN_PURPOSE);
  await clearLoginFailures(ctx, user.email);
  if (wasOn) {
    await ctx.events.emit("mfa.disabled", { userId: user.id, ...info }, { by: "admin" });
  }
  return wasOn;
}
