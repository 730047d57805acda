import { ARGON2ID_ID, verifyArgon2id } from "./argon2id.js";
import type { PasswordHasher, VerifyOptions } from "./hasher.js";
import { PBKDF2_ID, verifyPbkdf2 } from "./pbkdf2.js";
import { readStoredHash, type StoredHashReading, type Verify } from "./stored-hash.js";

/** Schemes every deployment can read, whatever it hashes with today. */
const BUILT_IN_VERIFIERS: ReadonlyMap<string, Verify> = new Map<string, Verify>([
  [PBKDF2_ID, verifyPbkdf2],
  [ARGON2ID_ID, verifyArgon2id],
]);

/**
 * Where a `passwordHashing` result keeps the hashers behind it, so that wrapping one again (as
 * `createAuth` does with the configured `passwordHasher`) keeps its `others` instead of hiding
 * them. On the object itself, not in a module-level map. `Symbol.for`, so the ESM and CJS
 * builds of the library (both may be loaded) read each other's chains.
 */
const CHAIN = Symbol.for("portcullis.passwordHashing.chain");

type Chained = PasswordHasher & { [CHAIN]?: readonly PasswordHasher[] };

/**
 * The hasher the core uses: new hashes come from `current`; stored hashes verify with whichever
 * scheme wrote them, so changing the configured hasher never locks anyone out, and
 * `needsRehash` (true for every hash `current` would not write) upgrades them at their next login.
 *
 * Verification picks, by PHC id, `current` first, then `others` in order, then the built-in
 * PBKDF2-SHA256 and Argon2id verifiers, which accept any parameters within their DoS limits.
 * Hashes imported from other stacks verify by their prefix: bcrypt (`$2a$`, `$2b$`, `$2y$`),
 * argon2i, scrypt (werkzeug, better-auth) and PBKDF2-SHA1/256/512 as passlib, Django and werkzeug
 * write them. A hash no scheme reads verifies as false.
 *
 * @example
 * // Hash with PBKDF2, but verify the Argon2id hashes of an older deployment in native code:
 * createAuth({ ..., passwordHasher: passwordHashing(pbkdf2(), [nativeArgon2id()]) });
 */
export function passwordHashing(
  current: PasswordHasher,
  others: readonly PasswordHasher[] = [],
): PasswordHasher {
  const chain = [current, ...others].flatMap((hasher) => chainOf(hasher));
  const verifiers = verifiersOf(chain);

  const hashing: Chained = {
    id: current.id,
    hash: (password) => current.hash(password),
    async verify(stored, password, options) {
      const reading = readStoredHash(stored, verifiers, options);
      return reading.kind === "verifiable" && typeof password === "string"
        ? reading.verify(password)
        : false;
    },
    needsRehash: (stored) => current.needsRehash(stored),
  };
  Object.defineProperty(hashing, CHAIN, { value: chain, enumerable: false });
  return hashing;
}

/**
 * What `hasher` (a `passwordHashing` chain, or a lone hasher with the built-in verifiers) makes
 * of a stored hash: which scheme verifies it, or why none can.
 */
export function inspectStoredHash(
  hasher: PasswordHasher,
  stored: string,
  options?: VerifyOptions,
): StoredHashReading {
  return readStoredHash(stored, verifiersOf(chainOf(hasher)), options);
}

function chainOf(hasher: PasswordHasher): readonly PasswordHasher[] {
  return (hasher as Chained)[CHAIN] ?? [hasher];
}

function verifiersOf(chain: readonly PasswordHasher[]): ReadonlyMap<string, Verify> {
  const verifiers = new Map(BUILT_IN_VERIFIERS);
  for (const hasher of [...chain].reverse()) verifiers.set(hasher.id, bind(hasher));
  return verifiers;
}

function bind(hasher: PasswordHasher): Verify {
  // Without options, the hasher is called as before they existed: with two arguments.
  return (stored, password, options) =>
    options === undefined
      ? hasher.verify(stored, password)
      : hasher.verify(stored, password, options);
}
