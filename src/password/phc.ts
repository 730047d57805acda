/**
 * PHC string format (https://github.com/P-H-C/phc-string-format):
 * `$<id>[$v=<version>][$<param>=<value>(,<param>=<value>)*]$<salt>$<hash>`, with salt and hash in
 * standard base64 without padding. The Argon2 reference implementation, argon2-cffi, passlib's
 * argon2 and @node-rs/argon2 write exactly this, so their Argon2 hashes verify here unchanged.
 * passlib's pbkdf2 hashes only look alike (bare rounds, `.` for `+` in base64): they are read by
 * `foreign/pbkdf2.ts`, and they too move over unchanged and are rewritten at the next sign-in.
 */
export interface PhcHash {
  /** Scheme identifier, e.g. `argon2id` or `pbkdf2-sha256`. */
  id: string;
  /** The `v=` segment (Argon2 writes 19 for version 0x13); absent when the string has none. */
  version?: number;
  /** Parameter values as written; read numbers with `phcInteger`. Null prototype: no `__proto__`. */
  params: Readonly<Record<string, string>>;
  salt: Uint8Array;
  hash: Uint8Array;
}

/**
 * Longer strings are refused before any parsing. A real hash is ~100 characters; the bound keeps a
 * planted multi-megabyte "hash" from costing more than a length check.
 */
export const MAX_PHC_LENGTH = 512;

const ID = /^[a-z0-9-]{1,32}$/;
const PARAM = /^([a-z0-9-]{1,32})=([a-zA-Z0-9/+.-]{1,64})$/;
const BASE64 = /^[A-Za-z0-9+/]*$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

export function encodePhc(phc: {
  id: string;
  version?: number;
  params: Readonly<Record<string, string | number>>;
  salt: Uint8Array;
  hash: Uint8Array;
}): string {
  const parts = [phc.id];
  if (phc.version !== undefined) parts.push(`v=${phc.version}`);
  const params = Object.entries(phc.params).map(([name, value]) => `${name}=${value}`);
  if (params.length > 0) parts.push(params.join(","));
  parts.push(base64Encode(phc.salt), base64Encode(phc.hash));
  return `$${parts.join("$")}`;
}

/** Parses a PHC string; returns null (never throws) for anything malformed or oversized. */
export function decodePhc(text: string): PhcHash | null {
  if (typeof text !== "string" || text.length > MAX_PHC_LENGTH || !text.startsWith("$")) {
    return null;
  }
  const segments = text.slice(1).split("$");
  const id = segments.shift();
  if (id === undefined || !ID.test(id)) return null;

  let version: number | undefined;
  if (segments[0]?.startsWith("v=")) {
    const parsed = phcInteger(segments.shift()?.slice(2));
    if (parsed === null) return null;
    version = parsed;
  }

  // Salt and hash never contain "=", so a segment with one is the parameter list.
  const params: Record<string, string> = Object.create(null);
  if (segments.length === 3) {
    for (const pair of (segments.shift() as string).split(",")) {
      const match = PARAM.exec(pair);
      if (!match) return null;
      const [, name, value] = match as unknown as [string, string, string];
      if (name in params) return null;
      params[name] = value;
    }
  }
  if (segments.length !== 2) return null;

  const salt = base64Decode(segments[0] as string);
  const hash = base64Decode(segments[1] as string);
  if (salt === null || hash === null || salt.length === 0 || hash.length === 0) return null;
  return version === undefined ? { id, params, salt, hash } : { id, version, params, salt, hash };
}

/** The id of a PHC string without decoding the rest: what dispatching to a verifier needs. */
export function phcId(text: string): string | null {
  if (typeof text !== "string" || text.length > MAX_PHC_LENGTH) return null;
  const match = /^\$([a-z0-9-]{1,32})(?:\$|$)/.exec(text);
  return match?.[1] ?? null;
}

/**
 * A PHC decimal value as a number, or null. The spec forbids leading zeros and signs, and the
 * 16-digit bound keeps every accepted value a safe integer.
 */
export function phcInteger(value: string | undefined): number | null {
  if (value === undefined || !DECIMAL.test(value)) return null;
  return Number(value);
}

/** Standard base64 (RFC 4648 §4) without padding, as the PHC format writes salts and hashes. */
export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "");
}

/**
 * Decodes unpadded standard base64, or returns null. Only the canonical encoding is accepted (no
 * stray bits in the last character), so one hash has exactly one spelling.
 */
export function base64Decode(text: string): Uint8Array | null {
  if (!BASE64.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text + "===".slice((text.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return base64Encode(bytes) === text ? bytes : null;
}
