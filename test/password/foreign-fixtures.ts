import { readFileSync } from "node:fs";

/*
 * Hashes made by the libraries other stacks use (passlib, Django, bcrypt, argon2-cffi, werkzeug),
 * committed with the script and the library versions that made them: fixtures/generate.py.
 */

export interface ForeignHash {
  library: string;
  scheme: string;
  /** Which password of `FOREIGN.passwords` it was made from. */
  password: "ascii" | "nfkc" | "long";
  hash: string;
  /** For bcrypt's long password: what the library's own `checkpw` answered for each candidate. */
  checkpw?: Record<string, boolean>;
}

interface ForeignFixtures {
  generatedBy: string;
  libraries: Record<string, string>;
  passwords: Record<ForeignHash["password"], string>;
  hashes: ForeignHash[];
}

export const FOREIGN: ForeignFixtures = JSON.parse(
  readFileSync(new URL("./fixtures/foreign-hashes.json", import.meta.url), "utf8"),
);

/** The password a fixture was made from, as the user types it. */
export const passwordOf = (fixture: ForeignHash): string => FOREIGN.passwords[fixture.password];

/** The one fixture of a library's scheme and password. */
export function foreign(
  library: string,
  scheme: string,
  password: ForeignHash["password"] = "ascii",
): ForeignHash {
  const found = FOREIGN.hashes.find(
    (entry) => entry.library === library && entry.scheme === scheme && entry.password === password,
  );
  if (!found) throw new Error(`no fixture for ${library} ${scheme} (${password})`);
  return found;
}

/**
 * Fixtures at each library's default cost (bcrypt 12, Argon2 at 64-100 MiB), or above the
 * default Argon2 cap: slow in pure JS, so tested one by one where they matter.
 */
export const isCostly = (fixture: ForeignHash): boolean =>
  /default|low-memory|GiB/.test(fixture.scheme);
