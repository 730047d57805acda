import type { AuthContext } from "../context/context.js";
import { randomBytes } from "../crypto/random.js";
import { payloadCipher } from "../outbox/payload-cipher.js";
import { base32Decode, base32Encode } from "./base32.js";

/*
 * TOTP secrets at rest: sealed with AES-256-GCM under a key derived from `secret` (HKDF, its own
 * purpose, so no other sealed payload opens as one), with the same cipher the outbox uses. The
 * plaintext names the user, so a sealed secret copied onto another user's row does not open
 * for them. Changing `secret` makes every stored TOTP secret unreadable: users then sign in
 * with a recovery code or the operator resets their MFA (`auth.api.admin.resetMfa`).
 */

const PURPOSE = "portcullis totp secret v1";

/** 160 bits, the key length RFC 4226 recommends for HMAC-SHA-1. */
export const TOTP_SECRET_BYTES = 20;

export function newTotpSecret(ctx: AuthContext): Uint8Array {
  return randomBytes(TOTP_SECRET_BYTES, ctx.random);
}

export function sealTotpSecret(ctx: AuthContext, userId: string, secret: Uint8Array) {
  const cipher = payloadCipher(ctx.config.secret, ctx.random, PURPOSE);
  return cipher.seal(`${userId}\u0000${base32Encode(secret)}`);
}

/** The secret, or null when it was sealed for another user or under another `secret`. */
export async function openTotpSecret(
  ctx: AuthContext,
  userId: string,
  sealed: string,
): Promise<Uint8Array | null> {
  const cipher = payloadCipher(ctx.config.secret, ctx.random, PURPOSE);
  const plain = await cipher.open(sealed);
  if (plain === null) return null;
  const separator = plain.lastIndexOf("\u0000");
  if (separator === -1 || plain.slice(0, separator) !== userId) return null;
  return base32Decode(plain.slice(separator + 1));
}
