import * as z from "zod";
import { type AddressProver, proveAddress, secureAccount } from "../accounts/account-recovery.js";
import { emailField, passwordField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { clearLoginFailures, limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import { assertNotDisabled, isDisabled } from "../sessions/account-disabled.js";
import type { RequestInfo } from "../types.js";
import { redirectTarget } from "../util/redirect-target.js";
import { parseInput } from "../validation.js";
import {
  balanceMissingAccount,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
} from "./one-time-token.js";
import { acceptablePassword } from "./password-policy-check.js";

export const PASSWORD_RESET_PURPOSE = "password-reset";

export const forgotPasswordInput = z.object({ email: emailField });
export const resetPasswordInput = z.object({
  token: z.string({ error: "token is required" }).max(256),
  password: passwordField,
});

/** The app's reset page with the token, e.g. `https://app.example.com/reset-password?token=…`. */
function resetPageURL(ctx: AuthContext, token: string): string {
  const page = ctx.config.passwordReset.url ?? "/reset-password";
  const url = new URL(redirectTarget(ctx.config, page));
  url.searchParams.set("token", token);
  return url.href;
}

/**
 * Mails a reset link when the address has an account. Answers the same, after the same storage
 * work, when it has none; the mail itself goes out in the background.
 */
export async function forgotPassword(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  requireFeature(ctx.mail.features.passwordReset);
  const { email } = parseInput(forgotPasswordInput, input);
  await limitPerIP(ctx, "password-forgot", info.ip);
  await limitPerAccount(ctx, "password-forgot", email);
  const user = await ctx.storage.users.findByEmail(email);
  // Emitted for unknown addresses too (without a userId): the audit sees the probing, and the
  // listeners' work costs the same either way, so timing tells nothing.
  await ctx.events.emit("password.reset_requested", { userId: user?.id, ...info }, {});
  // A disabled account gets no link either: the same answer after the same work.
  if (!user || isDisabled(user)) {
    await balanceMissingAccount(ctx, PASSWORD_RESET_PURPOSE, "password-reset", email);
    return;
  }
  const { ttl } = ctx.config.passwordReset;
  const token = await issueToken(ctx, {
    purpose: PASSWORD_RESET_PURPOSE,
    userId: user.id,
    identifier: user.email,
    ttlSeconds: ttl,
  });
  await ctx.mail.send("password-reset", user.email, {
    url: resetPageURL(ctx, token),
    expiresInMinutes: Math.ceil(ttl / 60),
  });
}

/**
 * Sets a new password with a reset token, then ends every session of the user (and with them
 * every refresh token) and voids every pending token, a pending email change included: whoever
 * else was signed in may be the reason for the reset. Following the link proves the address, so
 * a first proof evicts whoever squatted it (`proveAddress`). The new password is checked before
 * the token is used, so a rejected password does not burn the link.
 */
export async function resetPassword(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
  prover: AddressProver = {},
): Promise<void> {
  requireFeature(ctx.mail.features.passwordReset);
  const { token, password } = parseInput(resetPasswordInput, input);
  await limitPerIP(ctx, "password-reset", info.ip);
  const normalized = await acceptablePassword(ctx, password, "password");
  const hash = await ctx.hasher.hash(normalized);
  const record = await consumeToken(ctx, token, PASSWORD_RESET_PURPOSE);
  const user = record.userId ? await ctx.storage.users.findById(record.userId) : null;
  if (!user || user.email !== record.identifier) throw invalidToken();
  // A link mailed before the account was disabled (disabling voids them; this is the race) sets
  // nothing: the holder proved the mailbox, so they are told why and whom to ask.
  assertNotDisabled(user);
  // Before the new password is set: an eviction removes the squatter's password, not this one.
  await proveAddress(ctx, user, prover, info);
  await ctx.storage.passwords.set(user.id, hash);
  await secureAccount(ctx, user.id, "password_reset");
  await clearLoginFailures(ctx, user.email);
  await ctx.events.emit("password.reset", { userId: user.id, ...info }, {});
}
