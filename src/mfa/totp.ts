import { constantTimeEqual } from "../crypto/constant-time.js";

/*
 * HOTP (RFC 4226) and TOTP (RFC 6238) over WebCrypto's HMAC-SHA-1, the algorithm every
 * authenticator app implements. Pure: the key, the time and the code come in, nothing is stored.
 * Replay protection (a code accepted once) is the caller's, through the stored last step.
 */

/** The TOTP parameters DESIGN §7 fixes: SHA-1, 6 digits, 30-second steps, ±1 step of drift. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_WINDOW_STEPS = 1;

/** The time step of an instant (RFC 6238 §4.2: T = floor((unix time - T0) / X), T0 = 0). */
export function totpStep(at: Date | number, period = TOTP_PERIOD_SECONDS): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return Math.floor(ms / 1000 / period);
}

/** The counter as 8 big-endian bytes: steps past 2^32 (RFC 6238's year-2106 row) included. */
function counterBytes(counter: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError("an HOTP counter is a non-negative integer");
  }
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(counter / 0x1_0000_0000));
  view.setUint32(4, counter >>> 0);
  return bytes;
}

/** An HMAC-SHA-1 key for the secret, imported once per check. */
export function importTotpKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
}

/** RFC 4226 §5.3: HMAC-SHA-1 of the counter, dynamically truncated to `digits` decimal digits. */
export async function hotp(
  key: CryptoKey,
  counter: number,
  digits: number = TOTP_DIGITS,
): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, counterBytes(counter)));
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary =
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number);
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The TOTP code at an instant: HOTP of its time step. */
export async function totp(
  key: CryptoKey,
  at: Date | number,
  options: { digits?: number; period?: number } = {},
): Promise<string> {
  return hotp(key, totpStep(at, options.period), options.digits);
}

/**
 * The time step a code was made for, within ±`window` steps of `at`, or null when it matches
 * none. Every step in the window is computed and compared in constant time, so the answer's
 * timing says nothing about which step (if any) matched. When several steps share the code
 * (one chance in a million), the latest one is answered: a later step is never a replay of an
 * earlier one, so it is the one a replay guard can accept.
 */
export async function matchTotpStep(
  key: CryptoKey,
  code: string,
  at: Date | number,
  window: number = TOTP_WINDOW_STEPS,
): Promise<number | null> {
  const now = totpStep(at);
  let matched: number | null = null;
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0) continue;
    const expected = await hotp(key, step, TOTP_DIGITS);
    if (constantTimeEqual(expected, code)) matched = step;
  }
  return matched;
}
