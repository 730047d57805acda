/*
 * How much one stored Argon2 hash may cost to verify. A stored hash costs what its writer chose,
 * and another stack's choice is often above what Portcullis writes: Django, passlib and
 * argon2-cffi before 21.2 write m=102400 (100 MiB), t=2, p=8; argon2-cffi since 21.2 writes RFC
 * 9106's low-memory profile, m=65536, t=3, p=4. The cap (`password.maxArgon2MemoryKiB`) keeps a
 * planted or absurd hash (`m=4194304`) from exhausting memory or pinning a CPU per sign-in.
 */

/**
 * 256 MiB: accepts every common default above with room to spare, and bounds what one sign-in
 * may allocate (pure-JS Argon2 holds all of `m` at once) to what a small container survives.
 */
export const DEFAULT_MAX_ARGON2_MEMORY_KIB = 262_144;

/**
 * The values `password.maxArgon2MemoryKiB` may take: 1 MiB to 2 GiB, the memory of RFC 9106's
 * first recommended profile (and about what a JavaScript engine lets one typed array hold).
 */
export const ARGON2_MEMORY_KIB_RANGE = { min: 1_024, max: 2_097_152 } as const;

/**
 * Passes times memory is capped at this many passes over the memory cap: the default lets
 * argon2-cffi's t=3 at 64 MiB and Django's t=2 at 100 MiB through, and refuses t=40 at 200 MiB.
 */
export const ARGON2_MAX_PASSES_AT_CAP = 3;

/**
 * Why a stored Argon2 hash with these parameters is not verified under `maxMemoryKiB`, naming the
 * option that would let it through; null when it is within the limits.
 */
export function argon2LimitProblem(
  params: { memoryCost: number; timeCost: number },
  maxMemoryKiB = DEFAULT_MAX_ARGON2_MEMORY_KIB,
): string | null {
  const { memoryCost, timeCost } = params;
  if (memoryCost > maxMemoryKiB) {
    return (
      `the hash asks for m=${memoryCost} KiB of memory, above password.maxArgon2MemoryKiB ` +
      `(${maxMemoryKiB}); raise that option to verify it`
    );
  }
  if (memoryCost * timeCost > maxMemoryKiB * ARGON2_MAX_PASSES_AT_CAP) {
    return (
      `the hash asks for t=${timeCost} passes over m=${memoryCost} KiB, more work than ` +
      `${ARGON2_MAX_PASSES_AT_CAP} passes over password.maxArgon2MemoryKiB (${maxMemoryKiB}); ` +
      "raise that option to verify it"
    );
  }
  return null;
}
