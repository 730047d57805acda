import type { Logger } from "../util/logger.js";
import type { PasswordHasher, VerifyOptions } from "./hasher.js";
import { inspectStoredHash } from "./hashing.js";
import { normalizePassword } from "./policy.js";

export interface StoredPasswordOptions extends VerifyOptions {
  /** Where a hash that cannot be verified is reported (a warning, never the response). */
  logger?: Logger;
  /** Whose hash it is, for that log line. */
  userId?: string;
}

/**
 * `unverifiable`: no scheme can check the stored hash (unknown format, malformed, or over a cost
 * limit); it has been logged, and the caller should spend what a check costs so that the answer
 * takes as long as a wrong password's.
 */
export type StoredPasswordOutcome = "match" | "mismatch" | "unverifiable";

/**
 * Checks a password as typed against a stored hash, whoever wrote it.
 *
 * The password is NFKC-normalised first, as every Portcullis hash was made from that form. A
 * hash written by another library (bcrypt, Django, passlib, werkzeug, argon2-cffi) was made from
 * the raw password, so when the NFKC form fails and differs from the raw one, the raw one is
 * tried too: `№`, full-width letters, ligatures and no-break spaces would otherwise lock those
 * users out. That costs a second hash, for foreign formats only; it cannot match a hash made
 * from an NFKC form (NFKC is idempotent), so Portcullis's own hashes accept nothing more.
 */
export async function verifyStoredPassword(
  hasher: PasswordHasher,
  stored: string,
  password: string,
  options: StoredPasswordOptions = {},
): Promise<StoredPasswordOutcome> {
  const { logger, userId, ...limits } = options;
  const reading = inspectStoredHash(hasher, stored, limits);
  if (reading.kind === "unknown") {
    logger?.warn(
      { userId, hashFormat: reading.prefix ?? "(no scheme prefix)" },
      `password hash in an unrecognised format ${reading.prefix ?? "(no scheme prefix)"}: this user cannot sign in with a password until it is reset, or re-imported in a supported format`,
    );
    return "unverifiable";
  }
  if (reading.kind === "refused") {
    logger?.warn(
      { userId, hashFormat: reading.format },
      `cannot verify a ${reading.format} password hash: ${reading.problem}`,
    );
    return "unverifiable";
  }
  const normalized = normalizePassword(password);
  if (await reading.verify(normalized)) return "match";
  if (reading.foreign && normalized !== password && (await reading.verify(password))) {
    return "match";
  }
  return "mismatch";
}
