import { constantTimeEqual } from "../crypto/constant-time.js";
import { type RandomSource, randomBytes } from "../crypto/random.js";
import type { PasswordHasher } from "./hasher.js";
import { checkedInteger } from "./options.js";
import { decodePhc, encodePhc, phcInteger } from "./phc.js";
import { assertPbkdf2Runs } from "./runtime-limits.js";

export const PBKDF2_ID = "pbkdf2-sha256";

/** OWASP's 2023 minimum for PBKDF2-HMAC-SHA256, and our default. */
export const PBKDF2_MIN_ITERATIONS = 600_000;

/**
 * The most rounds a stored hash may ask for (~4 s). A hash planted in the database with
 * `i=4000000000` would otherwise pin a CPU per login attempt.
 */
export const PBKDF2_MAX_ITERATIONS = 10_000_000;

export interface Pbkdf2Options {
  /** PBKDF2 rounds. Default 600,000; fewer are refused unless `dangerouslyWeak` is set. */
  iterations?: number;
  /** Random salt bytes per hash. Default 16 (the minimum without `dangerouslyWeak`). */
  saltLength?: number;
  /** Derived bytes stored. Default 32, one SHA-256 block (the minimum without `dangerouslyWeak`). */
  hashLength?: number;
  /** Allows parameters below the minimums. For fast test suites only, never in production. */
  dangerouslyWeak?: boolean;
  random?: RandomSource;
}

const encoder = new TextEncoder();

/**
 * PBKDF2-HMAC-SHA256 through WebCrypto: native speed on every runtime and it never blocks the
 * event loop, which is why it is the default. Writes `$pbkdf2-sha256$i=600000$<salt>$<hash>`.
 */
export function pbkdf2(options: Pbkdf2Options = {}): PasswordHasher {
  const weakOk = options.dangerouslyWeak === true;
  const iterations = checkedInteger("pbkdf2", "iterations", options.iterations, {
    fallback: PBKDF2_MIN_ITERATIONS,
    min: 1,
    max: PBKDF2_MAX_ITERATIONS,
    weakBelow: PBKDF2_MIN_ITERATIONS,
    weakOk,
  });
  const saltLength = checkedInteger("pbkdf2", "saltLength", options.saltLength, {
    fallback: 16,
    min: 8,
    max: 64,
    weakBelow: 16,
    weakOk,
  });
  const hashLength = checkedInteger("pbkdf2", "hashLength", options.hashLength, {
    fallback: 32,
    min: 16,
    max: 64,
    weakBelow: 32,
    weakOk,
  });
  const random = options.random;
  assertPbkdf2Runs(iterations); // Workers cap PBKDF2: fail here rather than at the first sign-up

  return {
    id: PBKDF2_ID,
    async hash(password) {
      const salt = randomBytes(saltLength, random);
      const hash = await pbkdf2Sha256(encoder.encode(password), salt, iterations, hashLength);
      return encodePhc({ id: PBKDF2_ID, params: { i: iterations }, salt, hash });
    },
    verify: verifyPbkdf2,
    needsRehash(stored) {
      const parsed = parsePbkdf2Hash(stored);
      return (
        parsed === null ||
        parsed.iterations !== iterations ||
        parsed.hash.length !== hashLength ||
        parsed.salt.length < saltLength
      );
    },
  };
}

/** Verifies any readable `pbkdf2-sha256` hash, whatever its parameters (within the caps). */
export async function verifyPbkdf2(stored: string, password: string): Promise<boolean> {
  const parsed = parsePbkdf2Hash(stored);
  if (parsed === null || typeof password !== "string") return false;
  const { salt, iterations, hash } = parsed;
  const actual = await pbkdf2Sha256(encoder.encode(password), salt, iterations, hash.length);
  return constantTimeEqual(actual, hash);
}

function parsePbkdf2Hash(stored: string) {
  const phc = decodePhc(stored);
  if (phc === null || phc.id !== PBKDF2_ID || phc.version !== undefined) return null;
  if (Object.keys(phc.params).length !== 1) return null;
  const iterations = phcInteger(phc.params.i);
  if (iterations === null || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return null;
  // Short salts are accepted (RFC 7914's vectors use 4 bytes): refusing them would lock users out.
  if (phc.salt.length > 64 || phc.hash.length < 16 || phc.hash.length > 64) return null;
  return { iterations, salt: phc.salt, hash: phc.hash };
}

/** Raw PBKDF2-HMAC-SHA256 (RFC 8018) via `crypto.subtle`. */
export function pbkdf2Sha256(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  return pbkdf2Hmac("SHA-256", password, salt, iterations, length);
}

/** The digests PBKDF2 hashes of other stacks use (passlib, Django, werkzeug). */
export type Pbkdf2Digest = "SHA-1" | "SHA-256" | "SHA-512";

/** Raw PBKDF2-HMAC (RFC 8018) with any digest `crypto.subtle` offers everywhere. */
export async function pbkdf2Hmac(
  digest: Pbkdf2Digest,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", password as BufferSource, "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: digest, salt: salt as BufferSource, iterations },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
