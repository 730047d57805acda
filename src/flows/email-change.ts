import { z } from "zod";
import type { AuthContext } from "../context.js";
import { AuthError } from "../errors.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";
import { emailField, passwordField } from "./fields.js";
import {
  authURL,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
  tokenData,
} from "./one-time-token.js";
import { verifyPasswordLogin } from "./password-accounts.js";

export const EMAIL_CHANGE_PURPOSE = "email-change";

/** Tokens mailed to an address stop meaning anything once the account leaves it. */
const ADDRESS_BOUND_PURPOSES = [
  "magic-link",
  "login-code",
  "email-verification",
  "password-reset",
  EMAIL_CHANGE_PURPOSE,
];

export const emailChangeInput = z.object({
  newEmail: emailField,
  /** Needed unless the session is younger than `emailChange.freshAge`. */
  currentPassword: passwordField.optional(),
});

/**
 * Mails a confirmation link to the new address; the account moves only when it is followed.
 * The caller proves it is the owner: with the current password, or a session signed in less
 * than `emailChange.freshAge` ago. An address that belongs to another account gets no mail, and
 * the answer is the same, so this reveals nothing about other accounts.
 */
export async function requestEmailChange(
  ctx: AuthContext,
  auth: { userId: string; sessionCreatedAt: Date },
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  requireFeature(ctx.mail.features.emailChange);
  const { newEmail, currentPassword } = parseInput(emailChangeInput, input);
  await limitPerIP(ctx, "email-change", info.ip);
  const user = await ctx.storage.users.findById(auth.userId);
  if (!user) throw new AuthError("unauthenticated", "Not signed in");
  if (currentPassword !== undefined) {
    await verifyPasswordLogin(ctx, user.email, currentPassword);
  } else {
    const age = ctx.now().getTime() - auth.sessionCreatedAt.getTime();
    if (age > ctx.config.emailChange.freshAge * 1000) {
      throw new AuthError("forbidden", "Confirm the change with your current password");
    }
  }
  if (newEmail === user.email) return;
  await limitPerAccount(ctx, "email-change", newEmail, ctx.config.mailRateLimit);
  if (await ctx.storage.users.findByEmail(newEmail)) return;
  const { ttl } = ctx.config.emailChange;
  const token = await issueToken(ctx, {
    purpose: EMAIL_CHANGE_PURPOSE,
    userId: user.id,
    identifier: newEmail,
    data: { from: user.email },
    ttlSeconds: ttl,
  });
  await ctx.mail.send("email-change", newEmail, {
    url: authURL(ctx, "/email/change/verify", { token }),
    newEmail,
    expiresInMinutes: Math.ceil(ttl / 60),
  });
}

/**
 * Follows the confirmation link: moves the account to the new (now verified) address, voids
 * every token mailed to the old one, and tells the old address what happened.
 */
export async function confirmEmailChange(ctx: AuthContext, token: unknown): Promise<User> {
  requireFeature(ctx.mail.features.emailChange);
  const record = await consumeToken(ctx, token, EMAIL_CHANGE_PURPOSE);
  const from = tokenData(record).from;
  const user = record.userId ? await ctx.storage.users.findById(record.userId) : null;
  // The account moved elsewhere since the link was sent: the link is stale.
  if (!user || typeof from !== "string" || user.email !== from) throw invalidToken();
  const updated = await ctx.storage.users.update(user.id, {
    email: record.identifier,
    emailVerified: true,
    updatedAt: ctx.now(),
  });
  if (!updated) throw invalidToken();
  for (const purpose of ADDRESS_BOUND_PURPOSES) {
    await ctx.storage.verifications.deleteByUser(user.id, purpose);
  }
  await ctx.mail.send("email-change-notice", from, { newEmail: updated.email });
  return updated;
}
