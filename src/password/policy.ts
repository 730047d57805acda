import { ConfigError } from "../config-error.js";
import { isCommonPassword } from "./common-passwords.js";

/**
 * What a new password must satisfy, after NIST SP 800-63B: a length floor, no composition rules
 * ("one digit, one symbol"), and a check against passwords attackers try first.
 */
export interface PasswordPolicyOptions {
  /**
   * Fewest characters (Unicode code points after NFKC). Default 8, NIST's floor for a password
   * used alongside another factor. NIST SP 800-63B-4 asks for 15 when the password is the only
   * factor; set `minLength: 15` if your users have no passkey or second factor.
   */
  minLength?: number;
  /**
   * Most UTF-8 bytes after NFKC. Default 1024: far above any passphrase (NIST asks to allow at
   * least 64 characters) and low enough that hashing a maximal password costs nothing extra.
   */
  maxBytes?: number;
  /** Refuse the ~49,000 most common passwords (case-insensitive). Default true. */
  rejectCommon?: boolean;
  /**
   * Your own breach check, e.g. Have I Been Pwned's k-anonymity range API. Receives the normalized
   * password; an error it throws propagates, so decide inside the hook whether an outage of the
   * breach service should block sign-ups (rethrow) or not (return false).
   */
  isBreached?: (password: string) => Promise<boolean>;
}

export const DEFAULT_PASSWORD_POLICY = {
  minLength: 8,
  maxBytes: 1024,
  rejectCommon: true,
} as const satisfies PasswordPolicyOptions;

export type PasswordRejection = "too_short" | "too_long" | "common" | "breached";

export type PasswordCheck =
  | { ok: true; normalized: string }
  | { ok: false; reason: PasswordRejection; message: string };

/**
 * NFKC, so that the same password typed on another keyboard or OS (composed "é" or "e" plus a
 * combining accent, full-width letters) hashes to the same bytes. Register, login, change and reset
 * must all hash `normalizePassword(input)`, or a user could be locked out of their own password.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

const encoder = new TextEncoder();

/**
 * Checks a new password against the policy. Resolves `{ ok: true, normalized }` (hash
 * `normalized`, not the input) or `{ ok: false, reason, message }` with a message fit to show.
 * Throws only for a nonsensical policy, or when the common list or `isBreached` fails.
 */
export async function checkPassword(
  password: string,
  policy: PasswordPolicyOptions = {},
): Promise<PasswordCheck> {
  const minLength = policy.minLength ?? DEFAULT_PASSWORD_POLICY.minLength;
  const maxBytes = policy.maxBytes ?? DEFAULT_PASSWORD_POLICY.maxBytes;
  if (!Number.isSafeInteger(minLength) || minLength < 1) {
    throw new ConfigError(
      `password policy: "minLength" must be a positive integer, got ${minLength}`,
    );
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < minLength) {
    throw new ConfigError(
      `password policy: "maxBytes" must be an integer >= minLength (${minLength})`,
    );
  }
  const tooLong = rejection("too_long", `password must be at most ${maxBytes} bytes long`);

  // NFKC shrinks text at most ~4x (combining sequences), so a longer input cannot fit; refusing it
  // before normalizing keeps a megabyte "password" from costing more than this comparison.
  if (password.length > maxBytes * 4) return tooLong;
  const normalized = normalizePassword(password);
  if (encoder.encode(normalized).length > maxBytes) return tooLong;
  if ([...normalized].length < minLength) {
    return rejection("too_short", `password must be at least ${minLength} characters`);
  }
  if (
    (policy.rejectCommon ?? DEFAULT_PASSWORD_POLICY.rejectCommon) &&
    (await isCommonPassword(normalized))
  ) {
    return rejection("common", "password is too common; choose one that is harder to guess");
  }
  if (policy.isBreached && (await policy.isBreached(normalized))) {
    return rejection("breached", "password has appeared in a data breach; choose another one");
  }
  return { ok: true, normalized };
}

function rejection(reason: PasswordRejection, message: string): PasswordCheck {
  return { ok: false, reason, message };
}
