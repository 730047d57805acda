import { constantTimeEqual } from "../crypto/constant-time.js";
import { randomId } from "../crypto/ids.js";
import { type RandomSource, randomToken } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";

/*
 * The one `id.secret` bearer token format (session tokens, refresh tokens). The id finds the
 * row and is not secret; the secret proves possession, carries 256 random bits and is stored
 * only as its SHA-256, so a leaked database holds no usable token.
 *
 * Wire format, relied on by tokens already issued and by stored rows: a 22-character base64url
 * id (128 bits, `randomId`), a dot, a 43-character base64url secret (256 bits). A caller whose
 * tokens have another id length passes its own `OpaqueTokenShape`; the secret is always 256 bits.
 */

export interface OpaqueToken {
  id: string;
  secret: string;
}

/** Lengths in base64url characters, as the parser enforces them. */
export interface OpaqueTokenShape {
  idLength: number;
  secretLength: number;
}

/** 128-bit id, 256-bit secret: every `id.secret` token issued so far has this shape. */
export const OPAQUE_TOKEN_SHAPE: OpaqueTokenShape = { idLength: 22, secretLength: 43 };

function patternOf(shape: OpaqueTokenShape): RegExp {
  return new RegExp(
    `^([A-Za-z0-9_-]{${shape.idLength}})\\.([A-Za-z0-9_-]{${shape.secretLength}})$`,
  );
}

// Built once: the default shape is parsed on every request that carries a session cookie.
const DEFAULT_PATTERN = patternOf(OPAQUE_TOKEN_SHAPE);
const patterns = new Map<string, RegExp>();

function patternFor(shape: OpaqueTokenShape): RegExp {
  if (shape === OPAQUE_TOKEN_SHAPE) return DEFAULT_PATTERN;
  const key = `${shape.idLength}.${shape.secretLength}`;
  let pattern = patterns.get(key);
  if (!pattern) {
    pattern = patternOf(shape);
    patterns.set(key, pattern);
  }
  return pattern;
}

/** A new token: a `randomId` and a 256-bit secret. Format it once for the holder, keep the hash. */
export function newOpaqueToken(random: RandomSource): OpaqueToken {
  return { id: randomId(random), secret: randomToken(random) };
}

export function formatOpaqueToken(token: OpaqueToken): string {
  return `${token.id}.${token.secret}`;
}

/** Null for anything that is not exactly the shape we issue: no trimming, no other alphabet. */
export function parseOpaqueToken(
  value: string,
  shape: OpaqueTokenShape = OPAQUE_TOKEN_SHAPE,
): OpaqueToken | null {
  const match = patternFor(shape).exec(value);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

/** What storage keeps of a secret: its SHA-256, base64url. */
export function hashOpaqueSecret(secret: string): string {
  return sha256Base64url(secret);
}

/** Whether `secret` is the one whose hash was stored; constant-time in the hashes. */
export function opaqueSecretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashOpaqueSecret(secret), storedHash);
}
