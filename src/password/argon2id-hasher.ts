import { ConfigError } from "../config-error.js";
import { constantTimeEqual } from "../crypto/constant-time.js";
import { type RandomSource, randomBytes } from "../crypto/random.js";
import { argon2LimitProblem } from "./argon2-limits.js";
import { ARGON2_PHC_BOUNDS, type Argon2idParams, parseArgon2Phc } from "./argon2-phc.js";
import type { PasswordHasher, VerifyOptions } from "./hasher.js";
import { checkedInteger } from "./options.js";
import { encodePhc } from "./phc.js";

export type { Argon2idParams } from "./argon2-phc.js";

/*
 * Argon2id as a PasswordHasher, independent of who computes the tag: PHC strings, OWASP minimums,
 * limits on stored hashes and rehash rules live here, once, for `argon2id()` (@noble/hashes) and
 * for the Node adapter's worker pool and native hashers.
 */

export const ARGON2ID_ID = "argon2id";

/**
 * Computes a raw Argon2id tag. The core uses @noble/hashes on the calling thread; the Node adapter
 * swaps in a worker pool or native code, keeping the same PHC strings, limits and rehash rules.
 */
export type Argon2idDerive = (
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
) => Promise<Uint8Array>;

export interface Argon2idOptions {
  /** Memory in KiB. Default 19,456 (19 MiB), OWASP's first recommendation. */
  memoryCost?: number;
  /** Passes. Default 2. */
  timeCost?: number;
  /** Lanes. Default 1. */
  parallelism?: number;
  /** Random salt bytes per hash. Default 16 (the minimum without `dangerouslyWeak`). */
  saltLength?: number;
  /** Tag bytes stored. Default 32 (the minimum without `dangerouslyWeak`). */
  hashLength?: number;
  /** Allows parameters below OWASP's minimums. For fast test suites only, never in production. */
  dangerouslyWeak?: boolean;
  random?: RandomSource;
}

/**
 * OWASP's equivalent Argon2id configurations (Password Storage Cheat Sheet): a memory/time pair
 * is strong enough when it meets or exceeds one of these rows.
 */
const OWASP_MINIMUMS = [
  { memoryCost: 47_104, timeCost: 1 },
  { memoryCost: 19_456, timeCost: 2 },
  { memoryCost: 12_288, timeCost: 3 },
  { memoryCost: 9_216, timeCost: 4 },
  { memoryCost: 7_168, timeCost: 5 },
] as const;

/**
 * What a hasher may be configured to write. 64 MiB and 3 passes at 64 MiB (RFC 9106's second
 * recommended setting, and roughly 1.2 s in pure JS) is the most work one new hash may cost.
 * Stored hashes are read within wider bounds (`argon2-phc.ts`), capped by
 * `password.maxArgon2MemoryKiB` (`argon2-limits.ts`): another stack's defaults are often higher.
 */
export const ARGON2ID_LIMITS = {
  maxMemoryCost: 65_536,
  maxWork: 65_536 * 3,
  ...ARGON2_PHC_BOUNDS,
} as const;

const encoder = new TextEncoder();

/** The hasher around any Argon2id implementation; `factory` names it in option errors. */
export function createArgon2idHasher(
  derive: Argon2idDerive,
  options: Argon2idOptions,
  factory: string,
): PasswordHasher {
  const params = resolveParams(options, factory);
  const saltLength = checkedInteger(factory, "saltLength", options.saltLength, {
    fallback: 16,
    ...ARGON2ID_LIMITS.saltLength,
    weakBelow: 16,
    weakOk: options.dangerouslyWeak === true,
  });
  const random = options.random;

  return {
    id: ARGON2ID_ID,
    async hash(password) {
      const salt = randomBytes(saltLength, random);
      const hash = await derive(encoder.encode(password), salt, params);
      return encodeArgon2id(params, salt, hash);
    },
    verify: (stored, password, options) => verifyArgon2idWith(derive, stored, password, options),
    needsRehash(stored) {
      const parsed = parseArgon2idHash(stored);
      if (parsed === null) return true;
      const old = parsed.params;
      return (
        old.version !== params.version ||
        old.memoryCost !== params.memoryCost ||
        old.timeCost !== params.timeCost ||
        old.parallelism !== params.parallelism ||
        old.hashLength !== params.hashLength ||
        parsed.salt.length < saltLength
      );
    },
  };
}

function resolveParams(options: Argon2idOptions, factory: string): Argon2idParams {
  const weakOk = options.dangerouslyWeak === true;
  const memoryCost = checkedInteger(factory, "memoryCost", options.memoryCost, {
    fallback: 19_456,
    min: 8,
    max: ARGON2ID_LIMITS.maxMemoryCost,
    weakBelow: 0, // judged with timeCost below, against OWASP's table
    weakOk,
  });
  const timeCost = checkedInteger(factory, "timeCost", options.timeCost, {
    fallback: 2,
    min: 1,
    max: Math.floor(ARGON2ID_LIMITS.maxWork / memoryCost),
    weakBelow: 0,
    weakOk,
  });
  const parallelism = checkedInteger(factory, "parallelism", options.parallelism, {
    fallback: 1,
    min: 1,
    max: Math.min(ARGON2ID_LIMITS.maxParallelism, Math.floor(memoryCost / 8)),
    weakBelow: 0,
    weakOk,
  });
  const hashLength = checkedInteger(factory, "hashLength", options.hashLength, {
    fallback: 32,
    ...ARGON2ID_LIMITS.hashLength,
    weakBelow: 32,
    weakOk,
  });
  const strong = OWASP_MINIMUMS.some(
    (row) => memoryCost >= row.memoryCost && timeCost >= row.timeCost,
  );
  if (!strong && !weakOk) {
    throw new ConfigError(
      `${factory}(): "memoryCost" ${memoryCost} KiB with "timeCost" ${timeCost} is below OWASP's ` +
        "minimum (19456 KiB with 2 passes, or an equivalent trade-off); " +
        "pass dangerouslyWeak: true only to speed up tests",
    );
  }
  return { memoryCost, timeCost, parallelism, version: 0x13, hashLength };
}

/**
 * Verifies any readable Argon2id hash within `options.maxArgon2MemoryKiB` (default 256 MiB),
 * computing the tag with `derive`.
 */
export async function verifyArgon2idWith(
  derive: Argon2idDerive,
  stored: string,
  password: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const parsed = parseArgon2idHash(stored);
  if (parsed === null || typeof password !== "string") return false;
  if (argon2LimitProblem(parsed.params, options.maxArgon2MemoryKiB) !== null) return false;
  const actual = await derive(encoder.encode(password), parsed.salt, parsed.params);
  return constantTimeEqual(actual, parsed.hash);
}

function encodeArgon2id(params: Argon2idParams, salt: Uint8Array, hash: Uint8Array): string {
  return encodePhc({
    id: ARGON2ID_ID,
    version: params.version,
    params: { m: params.memoryCost, t: params.timeCost, p: params.parallelism },
    salt,
    hash,
  });
}

/**
 * Reads an Argon2id PHC string, or null when it is malformed. Memory is not capped here: the
 * verifier applies `password.maxArgon2MemoryKiB`.
 */
export function parseArgon2idHash(
  stored: string,
): { params: Argon2idParams; salt: Uint8Array; hash: Uint8Array } | null {
  const parsed = parseArgon2Phc(stored, ["argon2id"]);
  return parsed === null ? null : { params: parsed.params, salt: parsed.salt, hash: parsed.hash };
}
