import type { VerifyOptions } from "../hasher.js";

/** A stored hash a foreign format has read: ready to verify, or why it cannot be verified. */
export type ForeignReading = { verify(password: string): Promise<boolean> } | { problem: string };

/**
 * A hash format another stack writes (bcrypt, Django, passlib, werkzeug), recognised by its
 * prefix. Verifying such a hash is how a migrated user signs in the first time; the sign-in
 * then rewrites it with the configured hasher.
 */
export interface ForeignFormat {
  /** Who writes it, for logs and import reports: "bcrypt", "Django pbkdf2_sha256"... */
  readonly name: string;
  /** Whether `stored` is in this format by its prefix alone: a claimed hash that is malformed is refused, not passed on. */
  claims(stored: string): boolean;
  /** Parses `stored` (which this format claims) within the limits in `options`. */
  read(stored: string, options: VerifyOptions): ForeignReading;
}

export const encoder = new TextEncoder();

/** A positive decimal without leading zeros, at most `max`; else null. */
export function decimal(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}
