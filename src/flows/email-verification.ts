import type { AuthContext } from "../context.js";
import { AuthError } from "../errors.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import type { RequestInfo, User } from "../types.js";
import {
  authURL,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
} from "./one-time-token.js";

export const EMAIL_VERIFICATION_PURPOSE = "email-verification";

/** Mails a link that confirms the user's current address. */
export async function sendVerificationEmail(ctx: AuthContext, user: User): Promise<void> {
  const { ttl } = ctx.config.emailVerification;
  const token = await issueToken(ctx, {
    purpose: EMAIL_VERIFICATION_PURPOSE,
    userId: user.id,
    identifier: user.email,
    ttlSeconds: ttl,
  });
  await ctx.mail.send("email-verification", user.email, {
    url: authURL(ctx, "/email/verify", { token }),
    expiresInMinutes: Math.ceil(ttl / 60),
  });
}

/** Sends the verification mail after registration, when `emailVerification.sendOnRegister`. */
export async function afterRegistration(ctx: AuthContext, user: User): Promise<void> {
  if (ctx.config.emailVerification.sendOnRegister) await sendVerificationEmail(ctx, user);
}

/** Resends the link to a signed-in user; nothing is sent when the address is verified already. */
export async function requestEmailVerification(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
): Promise<void> {
  requireFeature(ctx.mail.features.emailVerification);
  await limitPerIP(ctx, "email-verification", info.ip);
  const user = await ctx.storage.users.findById(userId);
  if (!user || user.emailVerified) return;
  await limitPerAccount(ctx, "email-verification", user.email, ctx.config.mailRateLimit);
  await sendVerificationEmail(ctx, user);
}

/** Uses a verification link: marks the address verified if it is still the account's address. */
export async function verifyEmail(ctx: AuthContext, token: unknown): Promise<User> {
  requireFeature(ctx.mail.features.emailVerification);
  const record = await consumeToken(ctx, token, EMAIL_VERIFICATION_PURPOSE);
  const user = record.userId ? await ctx.storage.users.findById(record.userId) : null;
  if (!user || user.email !== record.identifier) throw invalidToken();
  if (user.emailVerified) return user;
  const updated = await ctx.storage.users.update(user.id, {
    emailVerified: true,
    updatedAt: ctx.now(),
  });
  if (!updated) throw invalidToken();
  return updated;
}

/** With `emailVerification.required`, an unverified account may not sign in with a password. */
export function assertEmailVerified(ctx: AuthContext, user: User): void {
  if (ctx.config.emailVerification.required && !user.emailVerified) {
    throw new AuthError("email_not_verified", "Confirm your email address before signing in");
  }
}
