import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import type { User } from "../types.js";

/** With `emailVerification.required`, an unverified account may not sign in with a password. */
export function assertEmailVerified(ctx: AuthContext, user: User): void {
  if (ctx.config.emailVerification.required && !user.emailVerified) {
    throw new AuthError("email_not_verified", "Confirm your email address before signing in");
  }
}
