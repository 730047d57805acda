import { type RandomSource, randomBytes } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";

/*
 * Recovery codes: the way in when the authenticator is lost. Ten per user, each single-use.
 *
 * A code is 10 symbols of Crockford's base32 in lower case, shown as `xxxxx-xxxxx`: 50 random
 * bits from the injected random source. The alphabet has no i, l, o or u, so nothing reads as
 * another symbol, and what a person types is forgiven the way Crockford decodes it (case,
 * spaces and dashes ignored; o read as 0, i and l as 1).
 *
 * Stored as SHA-256, not a slow password hash, because a slow hash only helps a secret a person
 * chose: a dictionary of likely guesses is what it slows down. These are random: online, the
 * second-factor rate limits and the account lockout allow a handful of guesses at 2^50; offline,
 * the hash is keyed with the configured `secret` (as login codes are) and bound to the user, so a
 * leaked table alone cannot even be searched, and with the secret too the TOTP secrets are lost
 * anyway (they are sealed under it).
 */

export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const SYMBOLS = 10;

/** A new code, e.g. `7fq2m-k0xva`. 32 symbols, so `byte & 31` is uniform: no modulo bias. */
function newRecoveryCode(random: RandomSource): string {
  const bytes = randomBytes(SYMBOLS, random);
  let code = "";
  for (const byte of bytes) code += ALPHABET.charAt(byte & 31);
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** A fresh set of codes, all different, to show the user once. */
export function newRecoveryCodes(random: RandomSource): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode(random));
  return [...codes];
}

/**
 * What a person typed, as the 10 symbols it stands for, or null when it cannot be a code. Case,
 * spaces and dashes are ignored; o, i and l are read as 0, 1 and 1.
 */
export function normalizeRecoveryCode(typed: string): string | null {
  const symbols = typed
    .toLowerCase()
    .replace(/[\s-]/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
  if (symbols.length !== SYMBOLS) return null;
  for (const char of symbols) if (!ALPHABET.includes(char)) return null;
  return symbols;
}

/** What storage keeps of a code: keyed with the config secret and bound to the user. */
export function hashRecoveryCode(secret: string, userId: string, code: string): string | null {
  const symbols = normalizeRecoveryCode(code);
  if (symbols === null) return null;
  return sha256Base64url(`${secret}\u0000mfa-recovery-code\u0000${userId}\u0000${symbols}`);
}
