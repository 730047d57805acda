import { argon2iAsync } from "@noble/hashes/argon2.js";
import { constantTimeEqual } from "../../crypto/constant-time.js";
import { argon2LimitProblem } from "../argon2-limits.js";
import { type Argon2Type, parseArgon2Phc } from "../argon2-phc.js";
import { nobleMaxmem } from "../argon2id.js";
import type { VerifyOptions } from "../hasher.js";

/*
 * Argon2 as other stacks store it. The PHC string itself is the same everywhere (argon2-cffi,
 * passlib, the reference implementation), so `$argon2id$` goes to the configured hasher chain,
 * which may compute it natively; what is foreign is argon2i, which Portcullis never writes, and
 * Django's `argon2` prefix in front of the PHC string.
 */

const DJANGO_ARGON2 = /^argon2(\$argon2(?:id|i)\$)/;

/**
 * The PHC string inside Django's `argon2$argon2id$v=19$...` (Django prepends its algorithm name
 * to what argon2-cffi writes), or null when `stored` is not in that form.
 */
export function unwrapDjangoArgon2(stored: string): string | null {
  return DJANGO_ARGON2.test(stored) ? stored.slice("argon2".length) : null;
}

/** The Argon2 parameters of a PHC string of either type, or null when it is not one. */
export function argon2Params(
  stored: string,
  types: readonly Argon2Type[] = ["argon2id", "argon2i"],
) {
  return parseArgon2Phc(stored, types)?.params ?? null;
}

const encoder = new TextEncoder();

/** Verifies an argon2i PHC string (argon2-cffi's `Type.I`, older Django) in pure JS. */
export async function verifyArgon2i(
  stored: string,
  password: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const parsed = parseArgon2Phc(stored, ["argon2i"]);
  if (parsed === null) return false;
  const { params } = parsed;
  if (argon2LimitProblem(params, options.maxArgon2MemoryKiB) !== null) return false;
  const actual = await argon2iAsync(encoder.encode(password), parsed.salt, {
    m: params.memoryCost,
    t: params.timeCost,
    p: params.parallelism,
    version: params.version,
    dkLen: params.hashLength,
    asyncTick: 10,
    maxmem: nobleMaxmem(params.memoryCost),
  });
  return constantTimeEqual(actual, parsed.hash);
}
