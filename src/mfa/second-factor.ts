import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { assertLoginAllowed, limitPerAccount, recordLoginFailure } from "../ops/rate-limit.js";
import type { RequestInfo, User } from "../types.js";
import type { SecondFactor } from "./fields.js";
import { hashRecoveryCode } from "./recovery-codes.js";
import { openTotpSecret } from "./secret-box.js";
import { importTotpKey, matchTotpStep } from "./totp.js";

/*
 * Checking a second factor of a user with MFA on: completing a sign-in, a step-up, turning MFA
 * off, new recovery codes. Every check is one guess at the factor, bounded three ways: the `mfa`
 * rate limit per account (and per IP, by the caller), the account's failure lockout (a wrong code
 * counts as a failed sign-in, and a locked account takes no code at all), and for a sign-in the
 * pending step's own few attempts. A TOTP code is accepted once: its time step is recorded with
 * a compare-and-set, so the same code (or one of an earlier step) is refused afterwards, on every
 * instance sharing the database.
 */

export const mfaInvalid = () =>
  new AuthError(
    "mfa_invalid",
    "That code is wrong or was already used: enter the current code from your authenticator app, or a recovery code",
  );

/** What proved the second factor. */
export interface ProvenFactor {
  kind: "totp" | "recovery_code";
  /** After a recovery code: how many the user has left. */
  recoveryCodesRemaining?: number;
}

/**
 * Checks `factor` for a user with MFA on; throws `mfa_invalid` (counted as a failure, which may
 * lock the account) when it is wrong or used, `rate_limited` past the limits or while locked.
 */
export async function proveSecondFactor(
  ctx: AuthContext,
  user: User,
  factor: SecondFactor,
  info: RequestInfo = {},
): Promise<ProvenFactor> {
  const failed = (reason: "locked" | "wrong_second_factor") =>
    ctx.events.emit("user.sign_in_failed", { userId: user.id, ...info }, { method: "mfa", reason });
  await limitPerAccount(ctx, "mfa", user.id);
  try {
    await assertLoginAllowed(ctx, user.email);
  } catch (error) {
    await failed("locked");
    throw error;
  }
  const proven = await checkFactor(ctx, user, factor, info);
  if (proven) return proven;
  const { failures, lockedUntil } = await recordLoginFailure(ctx, user.email);
  await failed("wrong_second_factor");
  if (lockedUntil) {
    await ctx.events.emit(
      "user.locked_out",
      { userId: user.id, ...info },
      { until: lockedUntil.toISOString(), consecutiveFailures: failures },
    );
  }
  throw mfaInvalid();
}

async function checkFactor(
  ctx: AuthContext,
  user: User,
  factor: SecondFactor,
  info: RequestInfo,
): Promise<ProvenFactor | null> {
  const record = await ctx.storage.mfa.get(user.id);
  if (!record?.totpSecret) return null;
  const now = ctx.now();
  if ("code" in factor) {
    const secret = await openTotpSecret(ctx, user.id, record.totpSecret);
    if (!secret) return null;
    const step = await matchTotpStep(await importTotpKey(secret), factor.code, now);
    // The compare-and-set is the replay guard: a step already used, here or on another
    // instance, changes nothing and answers false.
    if (step === null || !(await ctx.storage.mfa.recordStep(user.id, step, now))) return null;
    return { kind: "totp" };
  }
  const hash = hashRecoveryCode(ctx.config.secret, user.id, factor.recoveryCode);
  const remaining =
    hash === null ? null : await ctx.storage.mfa.consumeRecoveryCode(user.id, hash, now);
  if (remaining === null) return null;
  await ctx.events.emit("mfa.recovery_code_used", { userId: user.id, ...info }, { remaining });
  return { kind: "recovery_code", recoveryCodesRemaining: remaining };
}

/**
 * Checks a TOTP code against a secret that is set up and not confirmed yet (turning MFA on):
 * the time step it matched, or null. Nothing is recorded: the step is stored when MFA is turned
 * on with it, so that code cannot then sign in a second time.
 */
export async function matchPendingCode(
  ctx: AuthContext,
  user: User,
  sealedPending: string,
  code: string,
): Promise<number | null> {
  const secret = await openTotpSecret(ctx, user.id, sealedPending);
  if (!secret) return null;
  return matchTotpStep(await importTotpKey(secret), code, ctx.now());
}
