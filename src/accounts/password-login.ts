import type { AuthContext } from "../context/context.js";
import { AuthError, isAuthError } from "../errors.js";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "../ops/rate-limit.js";
import { normalizePassword } from "../password/policy.js";
import type { User } from "../types.js";
import { assertEmailVerified } from "./email-verified.js";

/*
 * Checking an email and password: the one rule every password sign-in follows (the login route,
 * the token endpoint's password grant, step-up), below the flows so that tokens/ can use it.
 */

const invalidCredentials = () => new AuthError("invalid_credentials", "Invalid email or password");

/** Checks an email and password; returns the user, or throws `invalid_credentials`. */
export async function verifyPasswordLogin(
  ctx: AuthContext,
  email: string,
  password: string,
): Promise<User> {
  await assertLoginAllowed(ctx, email);
  const candidate = normalizePassword(password);
  const user = await ctx.storage.users.findByEmail(email);
  const stored = user ? await ctx.storage.passwords.get(user.id) : null;
  const matches = await ctx.hasher.verify(stored ?? (await ctx.dummyHash()), candidate);
  if (!user || stored === null || !matches) {
    await recordLoginFailure(ctx, email);
    throw invalidCredentials();
  }
  await clearLoginFailures(ctx, email);
  // Only after the password matched: without it, nobody learns whether the account is verified.
  assertEmailVerified(ctx, user);
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
