import type { AuthContext } from "../context/context.js";
import { randomBytes, randomDigits } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { RateLimitWindow } from "../storage/ports.js";

/*
 * The 6-digit sign-in code, for clients that cannot open a link. A million codes is a small
 * space, so guessing is bounded three ways:
 * - the record id is a keyed hash (the config secret) of purpose, address and code: a leaked
 *   table cannot be brute-forced offline, and the code only works with its address;
 * - only the newest code of an address works: issuing one stamps a marker in the rate-limit
 *   port, the code records the stamp, and a code whose stamp is not current is refused;
 * - guesses per address are counted from the first guess after the newest code was issued, over
 *   the code's lifetime: at most `codeAttempts` guesses reach any one code.
 * New codes are themselves rate-limited per address (`mailRateLimit`), and guesses per address
 * per day are capped (`DAILY_GUESSES`, never reset by a new code): a patient attacker who keeps
 * asking for codes gets a few thousand guesses a year at most, under 1% of the space.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const DAILY_GUESSES = 20;

export const LOGIN_CODE_PURPOSE = "login-code";

const addressKey = (email: string) => sha256Base64url(`login-code-address:${email}`);
const issuedKey = (email: string) => `login-code-issued:${addressKey(email)}`;
const guessesKey = (email: string) => `login-code-guesses:${addressKey(email)}`;
const dailyKey = (email: string) => `login-code-daily:${addressKey(email)}`;

export function loginCodeId(ctx: AuthContext, email: string, code: string): string {
  return sha256Base64url(
    `${ctx.config.secret}\u0000${LOGIN_CODE_PURPOSE}\u0000${email}\u0000${code}`,
  );
}

/** Makes a new code the only valid one for the address; returns it and the stamp to record. */
export async function newLoginCode(
  ctx: AuthContext,
  email: string,
): Promise<{ code: string; stamp: number }> {
  const now = ctx.now();
  const rateLimits = ctx.storage.rateLimits;
  // The stamp is the marker's end: the code's lifetime plus up to ~65 s of random slack, so two
  // codes issued in the same millisecond still get different stamps (the code itself expires on
  // time; the marker only outlives it).
  const slack = new Uint16Array(randomBytes(2, ctx.config.random).buffer)[0] as number;
  const markerMs = ctx.config.magicLink.codeTtl * 1000 + 1 + slack;
  await rateLimits.reset(issuedKey(email));
  const marker = await rateLimits.hit(issuedKey(email), markerMs, now);
  // The newest code starts with a full allowance of guesses.
  await rateLimits.reset(guessesKey(email));
  return { code: randomDigits(6, ctx.config.random), stamp: marker.resetAt.getTime() };
}

function tooManyGuesses(window: RateLimitWindow, now: Date): AuthError {
  return new AuthError("rate_limited", "Too many attempts; ask for a new code later", {
    retryAfter: Math.max(1, Math.ceil((window.resetAt.getTime() - now.getTime()) / 1000)),
  });
}

/** Counts one guess for the address; throws `rate_limited` past the allowance. */
export async function countLoginCodeGuess(ctx: AuthContext, email: string): Promise<void> {
  const { codeTtl, codeAttempts } = ctx.config.magicLink;
  const now = ctx.now();
  const guesses = await ctx.storage.rateLimits.hit(guessesKey(email), codeTtl * 1000, now);
  if (guesses.count > codeAttempts) throw tooManyGuesses(guesses, now);
  const daily = await ctx.storage.rateLimits.hit(dailyKey(email), DAY_MS, now);
  if (daily.count > DAILY_GUESSES) throw tooManyGuesses(daily, now);
}

/** Whether the stamp a code was issued with is the address's current one. */
export async function isNewestLoginCode(
  ctx: AuthContext,
  email: string,
  stamp: unknown,
): Promise<boolean> {
  const marker = await ctx.storage.rateLimits.peek(issuedKey(email), ctx.now());
  return marker !== null && marker.resetAt.getTime() === stamp;
}
