import { ARGON2ID_ID, verifyArgon2id } from "./argon2id.js";
import type { PasswordHasher } from "./hasher.js";
import { PBKDF2_ID, verifyPbkdf2 } from "./pbkdf2.js";
import { phcId } from "./phc.js";

type Verify = PasswordHasher["verify"];

/** Schemes every deployment can read, whatever it hashes with today. */
const BUILT_IN_VERIFIERS: ReadonlyMap<string, Verify> = new Map([
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
 * scheme their PHC id names, so changing the configured hasher never locks anyone out, and
 * `needsRehash` (true for every hash `current` would not write) upgrades them at their next login.
 *
 * Verification picks, by PHC id, `current` first, then `others` in order, then the built-in
 * PBKDF2-SHA256 and Argon2id verifiers, which accept any parameters within their DoS limits.
 * A hash with an unknown id verifies as false.
 *
 * @example
 * // Hash with PBKDF2, but verify the Argon2id hashes of an older deployment in native code:
 * createAuth({ ..., passwordHasher: passwordHashing(pbkdf2(), [nativeArgon2id()]) });
 */
export function passwordHashing(
  current: PasswordHasher,
  others: readonly PasswordHasher[] = [],
): PasswordHasher {
  const chain = [current, ...others].flatMap((hasher) => (hasher as Chained)[CHAIN] ?? [hasher]);
  const verifiers = new Map(BUILT_IN_VERIFIERS);
  for (const hasher of [...chain].reverse()) verifiers.set(hasher.id, bind(hasher));

  const hashing: Chained = {
    id: current.id,
    hash: (password) => current.hash(password),
    async verify(stored, password) {
      const id = phcId(stored);
      const verify = id === null ? undefined : verifiers.get(id);
      return verify === undefined ? false : verify(stored, password);
    },
    needsRehash: (stored) => current.needsRehash(stored),
  };
  Object.defineProperty(hashing, CHAIN, { value: chain, enumerable: false });
  return hashing;
}

function bind(hasher: PasswordHasher): Verify {
  return (stored, password) => hasher.verify(stored, password);
}
