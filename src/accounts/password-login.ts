import type { AuthContext } from "../context/context.js";
import { AuthError, isAuthError } from "../errors.js";
import type { SignInFailureReason, SignInMethod } from "../events/events.js";
import { hasSecondFactor } from "../mfa/pending-step.js";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "../ops/rate-limit.js";
import { normalizePassword } from "../password/policy.js";
import { verifyStoredPassword } from "../password/verify-stored.js";
import type { RequestInfo, User } from "../types.js";
import { assertEmailVerified } from "./email-verified.js";

/*
 * Checking an email and password: the one rule every password sign-in follows (the login route,
 * the token endpoint's password grant, step-up), below the flows so that tokens/ can use it.
 */

const invalidCredentials = () => new AuthError("invalid_credentials", "Invalid email or password");

/** Where a password check comes from, for the events it emits. */
export interface PasswordAttempt {
  /** `password` for the sign-in route and step-up, `token` for the token endpoint's grant. */
  method?: SignInMethod;
  info?: RequestInfo;
}

/**
 * Checks an email and password; returns the user, or throws `invalid_credentials`. Every
 * refusal emits `user.sign_in_failed` with the recorded reason (which the caller never hears),
 * and a failure that locks the account `user.locked_out`.
 */
export async function verifyPasswordLogin(
  ctx: AuthContext,
  email: string,
  password: string,
  attempt: PasswordAttempt = {},
): Promise<User> {
  const { method = "password", info = {} } = attempt;
  const failed = (userId: string | undefined, reason: SignInFailureReason) =>
    ctx.events.emit("user.sign_in_failed", { userId, ...info }, { method, reason });
  try {
    await assertLoginAllowed(ctx, email);
  } catch (error) {
    const known = await ctx.storage.users.findByEmail(email);
    await failed(known?.id, "locked");
    throw error;
  }
  const candidate = normalizePassword(password);
  const user = await ctx.storage.users.findByEmail(email);
  const stored = user ? await ctx.storage.passwords.get(user.id) : null;
  // Whoever wrote the hash (another stack's, imported): see verifyStoredPassword.
  const outcome = await verifyStoredPassword(
    ctx.hasher,
    stored ?? (await ctx.dummyHash()),
    password,
    {
      maxArgon2MemoryKiB: ctx.config.password.maxArgon2MemoryKiB,
      logger: ctx.config.logger,
      userId: user?.id,
    },
  );
  // A hash nobody can verify (logged) costs what a wrong password costs: no timing tell.
  if (outcome === "unverifiable") await ctx.hasher.verify(await ctx.dummyHash(), candidate);
  const matches = outcome === "match";
  if (!user || stored === null || !matches) {
    const { failures, lockedUntil } = await recordLoginFailure(ctx, email);
    await failed(
      user?.id,
      !user ? "unknown_account" : stored === null ? "no_password" : "wrong_password",
    );
    if (lockedUntil && user) {
      await ctx.events.emit(
        "user.locked_out",
        { userId: user.id, ...info },
        { until: lockedUntil.toISOString(), consecutiveFailures: failures },
      );
    }
    throw invalidCredentials();
  }
  // With MFA the password is only half the sign-in: the failure count (which bounds guesses at
  // the second factor too) is cleared when the second factor completes it, not before (§7).
  if (!(await hasSecondFactor(ctx, user.id))) await clearLoginFailures(ctx, email);
  // Only after the password matched: without it, nobody learns whether the account is verified.
  try {
    assertEmailVerified(ctx, user);
  } catch (error) {
    await failed(user.id, "email_not_verified");
    throw error;
  }
  if (ctx.hasher.needsRehash(stored)) {
    // Compare-and-swap: if a concurrent change replaced the hash, theirs stands.
    await ctx.storage.passwords.replace(user.id, stored, await ctx.hasher.hash(candidate));
  }
  return user;
}

/**
 * Checks the signed-in user's current password (a password change, a step-up): the same rule
 * as a sign-in, failures counted alike, but a refusal says what it is about, since the caller
 * already knows the account exists.
 */
export async function verifyCurrentPassword(
  ctx: AuthContext,
  user: User,
  password: string,
): Promise<void> {
  try {
    await verifyPasswordLogin(ctx, user.email, password);
  } catch (error) {
    if (isAuthError(error) && error.code === "invalid_credentials") {
      throw new AuthError("invalid_credentials", "Your current password is wrong");
    }
    throw error;
  }
}
