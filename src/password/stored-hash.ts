import { argon2LimitProblem } from "./argon2-limits.js";
import { ARGON2ID_ID } from "./argon2id-hasher.js";
import { argon2Params, unwrapDjangoArgon2, verifyArgon2i } from "./foreign/argon2.js";
import { bcryptModular, djangoBcrypt, passlibBcryptSha256 } from "./foreign/bcrypt.js";
import type { ForeignFormat } from "./foreign/format.js";
import { djangoPbkdf2, passlibPbkdf2, werkzeugPbkdf2 } from "./foreign/pbkdf2.js";
import { betterAuthScrypt, werkzeugScrypt } from "./foreign/scrypt.js";
import type { VerifyOptions } from "./hasher.js";
import { MAX_PHC_LENGTH, phcId } from "./phc.js";

/*
 * Which scheme reads a stored hash: the hashers of the configured chain by PHC id, or one of the
 * formats other stacks write, by prefix. One answer for sign-in, for the log line about a hash
 * nobody can read, and for the import's check of each row.
 */

export type Verify = (
  stored: string,
  password: string,
  options?: VerifyOptions,
) => Promise<boolean>;

export type StoredHashReading =
  | {
      kind: "verifiable";
      /** The scheme, e.g. `pbkdf2-sha256`, `bcrypt`, `Django argon2id`. */
      format: string;
      /**
       * Written by another library, from the password as the user typed it: worth a second try
       * with the un-normalised password when the NFKC form fails (see `verifyStoredPassword`).
       */
      foreign: boolean;
      verify(password: string): Promise<boolean>;
    }
  /** A recognised format that cannot be verified: malformed, or over a cost limit. */
  | { kind: "refused"; format: string; problem: string }
  /** No scheme reads it. `prefix` is its scheme marker (`$foo$`), never more of the hash. */
  | { kind: "unknown"; prefix: string | null };

/**
 * Tried before PHC ids, each strict about its prefix: passlib's `$pbkdf2-sha256$29000$...`
 * shares a PHC id with Portcullis's own and must not reach its verifier.
 */
const FOREIGN_FORMATS: readonly ForeignFormat[] = [
  bcryptModular,
  djangoBcrypt,
  passlibBcryptSha256,
  passlibPbkdf2,
  djangoPbkdf2,
  werkzeugPbkdf2,
  werkzeugScrypt,
  betterAuthScrypt,
];

/**
 * PHC ids other libraries write in exactly the form Portcullis does: argon2-cffi, passlib and the
 * reference implementation all write `$argon2id$v=19$...`, so such a hash may come from a system
 * that hashed the raw password. (Portcullis's own `$pbkdf2-sha256$i=...$` is written by nobody
 * else.) The NFKC fallback can never match a hash Portcullis wrote: it only costs a second hash.
 */
const SHARED_PHC_IDS: ReadonlySet<string> = new Set([ARGON2ID_ID]);

const ARGON2_IDS: ReadonlySet<string> = new Set(["argon2id", "argon2i"]);

/** Reads `stored` with the chain's `verifiers` (by PHC id) and the foreign formats. */
export function readStoredHash(
  stored: string,
  verifiers: ReadonlyMap<string, Verify>,
  options?: VerifyOptions,
): StoredHashReading {
  if (typeof stored !== "string" || stored.length > MAX_PHC_LENGTH) {
    return { kind: "unknown", prefix: null };
  }
  for (const format of FOREIGN_FORMATS) {
    if (!format.claims(stored)) continue;
    const reading = format.read(stored, options ?? {});
    return "problem" in reading
      ? { kind: "refused", format: format.name, problem: reading.problem }
      : { kind: "verifiable", format: format.name, foreign: true, verify: reading.verify };
  }
  const django = unwrapDjangoArgon2(stored);
  const phc = django ?? stored;
  const id = phcId(phc);
  if (id === null) return { kind: "unknown", prefix: hashPrefix(stored) };
  const format = django === null ? id : `Django ${id}`;
  if (ARGON2_IDS.has(id)) {
    // Checked here, before any verifier, so that the refusal can say which option to raise.
    const params = argon2Params(phc, [id as "argon2id" | "argon2i"]);
    if (params === null) return { kind: "refused", format, problem: `malformed ${id} hash` };
    const problem = argon2LimitProblem(params, options?.maxArgon2MemoryKiB);
    if (problem !== null) return { kind: "refused", format, problem };
  }
  const verify = verifiers.get(id) ?? (id === "argon2i" ? verifyArgon2i : undefined);
  if (verify === undefined) return { kind: "unknown", prefix: hashPrefix(stored) };
  return {
    kind: "verifiable",
    format,
    foreign: django !== null || id === "argon2i" || SHARED_PHC_IDS.has(id),
    verify: (password) =>
      options === undefined ? verify(phc, password) : verify(phc, password, options),
  };
}

/**
 * The scheme marker of a hash nobody reads, safe to log: `$foo$`, `{SSHA}`, or `name$`/`name:`
 * when what follows is long enough to be a hash. Anything else is null: a column that holds
 * plaintext passwords (a common migration mistake) must not end up in the logs.
 */
export function hashPrefix(stored: string): string | null {
  if (typeof stored !== "string") return null;
  const modular = /^\$([A-Za-z0-9_.+-]{1,32})\$/.exec(stored);
  if (modular) return `$${modular[1]}$`;
  const ldap = /^\{([A-Z0-9-]{1,16})\}/.exec(stored);
  if (ldap) return `{${ldap[1]}}`;
  const named = /^([a-z][a-z0-9_-]{0,31})([$:])/.exec(stored);
  if (named && stored.length - named[0].length >= 20) return `${named[1]}${named[2]}`;
  return null;
}
