import * as z from "zod";
import { secureAccount } from "../accounts/account-recovery.js";
import { emailField, passwordField } from "../accounts/fields.js";
import { requireRecentSignIn } from "../accounts/step-up.js";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { totpCodeField } from "../mfa/fields.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import { revokeUserSessions } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";
import {
  authURL,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
  tokenData,
} from "./one-time-token.js";

export const EMAIL_CHANGE_PURPOSE = "email-change";
/** The link mailed to the old address that stops (or undoes) a change. */
export const EMAIL_CHANGE_CANCEL_PURPOSE = "email-change-cancel";
/** How long the old address can stop or undo a change: longer than anyone is away from mail. */
const CANCEL_TTL_SECONDS = 7 * 24 * 60 * 60;

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
  /** Needed unless the session signed in less than `session.freshAge` ago (or `code` is sent). */
  currentPassword: passwordField.optional(),
  /** For a user with MFA, a TOTP code proves the caller as well as the password does. */
  code: totpCodeField.optional(),
});

/**
 * Issues a link for the old address that stops the change, or undoes it once confirmed. It is
 * stored without a user id on purpose: it belongs to the old address, so the recoveries that
 * void an account's tokens (reset, password change) cannot void the owner's way back.
 */
async function issueCancelLink(
  ctx: AuthContext,
  user: User,
  move: { from: string; to: string; requestedAt: number },
): Promise<string> {
  const token = await issueToken(ctx, {
    purpose: EMAIL_CHANGE_CANCEL_PURPOSE,
    userId: null,
    identifier: move.from,
    data: { userId: user.id, ...move },
    ttlSeconds: CANCEL_TTL_SECONDS,
  });
  return authURL(ctx, "/email/change/cancel", { token });
}

/**
 * Mails a confirmation link to the new address; the account moves only when it is followed.
 * The caller proves it holds the account now (`requireRecentSignIn`: a fresh session or the
 * current password). The old address is told at once, with a link that stops the change. An
 * address that belongs to another account gets no mail, and the answer is the same, so this
 * reveals nothing about other accounts.
 */
export async function requestEmailChange(
  ctx: AuthContext,
  auth: { userId: string; sessionCreatedAt: Date },
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  requireFeature(ctx.mail.features.emailChange);
  const { newEmail, currentPassword, code } = parseInput(emailChangeInput, input);
  await limitPerIP(ctx, "email-change", info.ip);
  const user = await ctx.storage.users.findById(auth.userId);
  if (!user) throw new AuthError("unauthenticated", "Not signed in");
  await requireRecentSignIn(
    ctx,
    { userId: user.id, signedInAt: auth.sessionCreatedAt },
    { currentPassword, code },
    info,
  );
  if (newEmail === user.email) return;
  await limitPerAccount(ctx, "email-change", newEmail);
  // The owner hears of every request at once, whether or not the new address is free.
  const requestedAt = ctx.now().getTime();
  const cancelURL = await issueCancelLink(ctx, user, {
    from: user.email,
    to: newEmail,
    requestedAt,
  });
  await ctx.mail.send("email-change-requested", user.email, {
    url: cancelURL,
    newEmail,
    expiresInMinutes: Math.ceil(CANCEL_TTL_SECONDS / 60),
  });
  await ctx.events.emit(
    "email.change_requested",
    { userId: user.id, ...info },
    {
      from: user.email,
      to: newEmail,
    },
  );
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
 * every token mailed to the old one, and tells the old address what happened, with a link that
 * undoes the change.
 */
export async function confirmEmailChange(ctx: AuthContext, token: unknown): Promise<User> {
  requireFeature(ctx.mail.features.emailChange);
  const record = await consumeToken(ctx, token, EMAIL_CHANGE_PURPOSE);
  const from = tokenData(record).from;
  const user = record.userId ? await ctx.storage.users.findById(record.userId) : null;
  // The account moved elsewhere since the link was sent: the link is stale.
  if (!user || typeof from !== "string" || user.email !== from) throw invalidToken();
  const requestedAt = record.createdAt.getTime();
  const updated = await ctx.storage.users.update(user.id, {
    email: record.identifier,
    emailVerified: true,
    updatedAt: ctx.now(),
  });
  if (!updated) throw invalidToken();
  for (const purpose of ADDRESS_BOUND_PURPOSES) {
    await ctx.storage.verifications.deleteByUser(user.id, purpose);
  }
  const undoURL = await issueCancelLink(ctx, user, { from, to: updated.email, requestedAt });
  await ctx.mail.send("email-change-notice", from, {
    newEmail: updated.email,
    url: undoURL,
    expiresInMinutes: Math.ceil(CANCEL_TTL_SECONDS / 60),
  });
  await ctx.events.emit("email.changed", { userId: user.id }, { from, to: updated.email });
  return updated;
}

/** What following a cancel link did. */
export interface CancelledEmailChange {
  user: User;
  /** True when the change had been confirmed and the account was moved back. */
  reverted: boolean;
}

const cancelData = z.object({
  userId: z.string(),
  from: z.string(),
  to: z.string(),
  requestedAt: z.number(),
});

/**
 * Follows the link mailed to the old address. Before the change is confirmed it stops it: the
 * pending change is voided and every session ends (whoever asked for the change held one).
 * After, it undoes it: the account moves back to the old address, every session, refresh token
 * and pending token ends, passkeys added since the change was asked for are removed, and so is
 * the password (whoever moved the address may know it): the owner sets a new one by reset.
 */
export async function cancelEmailChange(
  ctx: AuthContext,
  token: unknown,
): Promise<CancelledEmailChange> {
  requireFeature(ctx.mail.features.emailChange);
  const record = await consumeToken(ctx, token, EMAIL_CHANGE_CANCEL_PURPOSE);
  const data = cancelData.safeParse(tokenData(record));
  if (!data.success) throw invalidToken();
  const { userId, from, to, requestedAt } = data.data;
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw invalidToken();
  if (user.email === from) {
    await ctx.storage.verifications.deleteByUser(user.id, EMAIL_CHANGE_PURPOSE);
    await revokeUserSessions(ctx, user.id, undefined, "email_change_cancelled");
    return { user, reverted: false };
  }
  // Moved on since (to a third address, or back already): this link no longer describes it.
  if (user.email !== to) throw invalidToken();
  const moved = await ctx.storage.users.update(user.id, {
    email: from,
    emailVerified: true,
    updatedAt: ctx.now(),
  });
  if (!moved) throw invalidToken();
  await secureAccount(ctx, user.id, "email_change_cancelled");
  for (const passkey of await ctx.storage.passkeys.listByUser(user.id)) {
    if (passkey.createdAt.getTime() >= requestedAt) {
      await ctx.storage.passkeys.delete(user.id, passkey.id);
    }
  }
  await ctx.storage.passwords.delete(user.id);
  await ctx.events.emit(
    "email.changed",
    { userId: user.id },
    { from: to, to: from, reverted: true },
  );
  return { user: moved, reverted: true };
}
