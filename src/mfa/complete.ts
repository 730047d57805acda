import type { AuthContext } from "../context/context.js";
import { isAuthError } from "../errors.js";
import type { SignInMethod } from "../events/events.js";
import { clearLoginFailures } from "../ops/rate-limit.js";
import type { RequestInfo, User } from "../types.js";
import type { SecondFactor } from "./fields.js";
import { returnPendingSignIn, takePendingSignIn } from "./pending-step.js";
import { mfaInvalid, proveSecondFactor } from "./second-factor.js";

declare const completed: unique symbol;

/**
 * A pending sign-in whose second factor was just proven: what `sessions.signIn` takes to open
 * the session without the gate. Only `completeSecondFactor` makes one (the brand is a symbol
 * no other module can name), so a first factor cannot pass itself off as two.
 */
export interface CompletedSecondFactor {
  readonly [completed]: true;
  readonly user: User;
  readonly firstFactor: SignInMethod;
  readonly secondFactor: "totp" | "recovery_code";
  /** After a recovery code: how many the user has left. */
  readonly recoveryCodesRemaining?: number;
}

/**
 * Completes the pending step behind `mfaToken` with a second factor. The step is taken first
 * (single-use: of concurrent completions one gets it), then given back when the factor is wrong
 * (one attempt fewer; void after `PENDING_SIGN_IN_ATTEMPTS`) or when a limit refused the check.
 * On success the account's failure count is cleared: only a completed sign-in clears it, never
 * the first factor alone (DESIGN §7). Throws `token_invalid` for a used, void or expired step,
 * `mfa_invalid` for a wrong or used code, `rate_limited`.
 */
export async function completeSecondFactor(
  ctx: AuthContext,
  input: { mfaToken: unknown; factor: SecondFactor },
  info: RequestInfo = {},
): Promise<CompletedSecondFactor> {
  const pending = await takePendingSignIn(ctx, input.mfaToken);
  const user = await ctx.storage.users.findById(pending.userId);
  if (!user) throw mfaInvalid();
  let proven: Awaited<ReturnType<typeof proveSecondFactor>>;
  try {
    proven = await proveSecondFactor(ctx, user, input.factor, info);
  } catch (error) {
    const wrong = isAuthError(error) && error.code === "mfa_invalid";
    await returnPendingSignIn(ctx, pending, pending.attempts + (wrong ? 1 : 0)).catch(() => {});
    throw error;
  }
  await clearLoginFailures(ctx, user.email);
  return {
    user,
    firstFactor: pending.firstFactor,
    secondFactor: proven.kind,
    ...(proven.recoveryCodesRemaining === undefined
      ? {}
      : { recoveryCodesRemaining: proven.recoveryCodesRemaining }),
  } as CompletedSecondFactor;
}
