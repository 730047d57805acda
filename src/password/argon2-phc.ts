import { ARGON2_MEMORY_KIB_RANGE } from "./argon2-limits.js";
import { decodePhc, phcInteger } from "./phc.js";

/** The Argon2 variants a stored hash may name: Portcullis writes argon2id; argon2i is read. */
export type Argon2Type = "argon2id" | "argon2i";

/** The cost of one Argon2 computation, as the PHC string records it. */
export interface Argon2idParams {
  /** `m`: memory in KiB. */
  memoryCost: number;
  /** `t`: passes over memory. */
  timeCost: number;
  /** `p`: lanes. */
  parallelism: number;
  /** Argon2 version: 0x13 (written `v=19`) for every new hash; 0x10 read for old ones. */
  version: 0x10 | 0x13;
  /** Tag bytes. */
  hashLength: number;
}

/** What a readable stored Argon2 hash may be, whoever wrote it. Memory and work are capped apart. */
export const ARGON2_PHC_BOUNDS = {
  maxParallelism: 16,
  saltLength: { min: 8, max: 64 },
  hashLength: { min: 16, max: 64 },
} as const;

export interface ParsedArgon2 {
  type: Argon2Type;
  params: Argon2idParams;
  salt: Uint8Array;
  hash: Uint8Array;
}

/**
 * Reads an Argon2 PHC string of one of `types` (as the reference implementation, argon2-cffi,
 * passlib and @node-rs/argon2 write it), or null when it is malformed. Memory is bounded only
 * by what `password.maxArgon2MemoryKiB` may ever allow: the configured cap is applied by the
 * verifier (`argon2LimitProblem`), so that a refusal can name it.
 */
export function parseArgon2Phc(
  stored: string,
  types: readonly Argon2Type[] = ["argon2id"],
): ParsedArgon2 | null {
  const phc = decodePhc(stored);
  if (phc === null || !(types as readonly string[]).includes(phc.id)) return null;
  // `v=16` or no `v=` at all is version 0x10, as in the reference implementation's decoder.
  const version =
    phc.version === 19 ? 0x13 : phc.version === 16 || phc.version === undefined ? 0x10 : null;
  if (version === null) return null;
  if (Object.keys(phc.params).length !== 3) return null;
  const memoryCost = phcInteger(phc.params.m);
  const timeCost = phcInteger(phc.params.t);
  const parallelism = phcInteger(phc.params.p);
  if (memoryCost === null || timeCost === null || parallelism === null) return null;
  const { salt, hash } = phc;
  const bounds = ARGON2_PHC_BOUNDS;
  const sane =
    parallelism >= 1 &&
    parallelism <= bounds.maxParallelism &&
    memoryCost >= 8 * parallelism &&
    memoryCost <= ARGON2_MEMORY_KIB_RANGE.max &&
    timeCost >= 1 &&
    salt.length >= bounds.saltLength.min &&
    salt.length <= bounds.saltLength.max &&
    hash.length >= bounds.hashLength.min &&
    hash.length <= bounds.hashLength.max;
  if (!sane) return null;
  return {
    type: phc.id as Argon2Type,
    params: { memoryCost, timeCost, parallelism, version, hashLength: hash.length },
    salt,
    hash,
  };
}
