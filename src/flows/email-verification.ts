import { type AddressProver, proveAddress } from "../accounts/account-recovery.js";
import type { AuthContext } from "../context/context.js";
import { randomToken } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import type { RequestInfo, User } from "../types.js";
import {
  authURL,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
  tokenData,
} from "./one-time-token.js";

export const EMAIL_VERIFICATION_PURPOSE = "email-verification";

/**
 * Mails a link that confirms the user's current address. With `registrant`, the link remembers
 * the SHA-256 of the registering browser's binding, so that browser counts as the account holder.
 */
export async function sendVerificationEmail(
  ctx: AuthContext,
  user: User,
  registrant?: string,
): Promise<void> {
  const { ttl } = ctx.config.emailVerification;
  const token = await issueToken(ctx, {
    purpose: EMAIL_VERIFICATION_PURPOSE,
    userId: user.id,
    identifier: user.email,
    data: registrant ? { registrant: sha256Base64url(registrant) } : undefined,
    ttlSeconds: ttl,
  });
  await ctx.mail.send("email-verification", user.email, {
    url: authURL(ctx, "/email/verify", { token }),
    expiresInMinutes: Math.ceil(ttl / 60),
  });
}

/**
 * Sends the verification mail after registration, when `emailVerification.sendOnRegister`.
 * With `emailVerification.required` the registrant gets no session, so the link is bound to a
 * fresh random binding instead, returned for the registering browser to keep (a cookie); null
 * when there is nothing to bind.
 */
export async function afterRegistration(ctx: AuthContext, user: User): Promise<string | null> {
  if (!ctx.config.emailVerification.sendOnRegister) return null;
  const binding = ctx.config.emailVerification.required
    ? randomToken(ctx.config.random)
    : undefined;
  await sendVerificationEmail(ctx, user, binding);
  return binding ?? null;
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
  await limitPerAccount(ctx, "email-verification", user.email);
  await sendVerificationEmail(ctx, user);
}

/** Who opened a verification link, as far as the request tells. */
export interface VerificationOpener {
  /** The live session the request carried, if any. */
  session?: { userId: string } | null;
  /** The registration binding the browser kept (the cookie set by `POST /register`). */
  registrationBinding?: string | null;
}

/**
 * Uses a verification link: marks the address verified if it is still the account's address.
 * Opened by someone who does not hold the account (no session of it, not the registering
 * browser), the first verification evicts every credential made before it (`proveAddress`):
 * the link may be the one a squatter's registration sent to the real owner of the address.
 */
export async function verifyEmail(
  ctx: AuthContext,
  token: unknown,
  opener: VerificationOpener = {},
): Promise<User> {
  requireFeature(ctx.mail.features.emailVerification);
  const record = await consumeToken(ctx, token, EMAIL_VERIFICATION_PURPOSE);
  const user = record.userId ? await ctx.storage.users.findById(record.userId) : null;
  if (!user || user.email !== record.identifier) throw invalidToken();
  const registrant = tokenData(record).registrant;
  const prover: AddressProver = {
    session: opener.session ?? null,
    registrant:
      typeof registrant === "string" &&
      typeof opener.registrationBinding === "string" &&
      sha256Base64url(opener.registrationBinding) === registrant,
  };
  return (await proveAddress(ctx, user, prover)).user;
}
