import type { AuthContext } from "../context/context.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { RateLimitWindow } from "../storage/ports.js";
import { ipRateLimitKey } from "../util/ip-address.js";
import {
  type PerAccountAction,
  type PerIPAction,
  RATE_LIMIT_POLICIES,
} from "./rate-limit-policies.js";

/*
 * Limits live in the rate-limit port, so instances that share storage share limits.
 * Account keys hash the identifier: the limiter's keys then hold no email addresses.
 */

function retryAfterSeconds(window: RateLimitWindow, now: Date): number {
  return Math.max(1, Math.ceil((window.resetAt.getTime() - now.getTime()) / 1000));
}

function rateLimited(window: RateLimitWindow, now: Date): AuthError {
  return new AuthError("rate_limited", "Too many attempts; try again later", {
    retryAfter: retryAfterSeconds(window, now),
  });
}

/**
 * Counts a request to `action` from `ip`; throws `rate_limited` past the action's per-IP limit
 * (`RATE_LIMIT_POLICIES`). IPv6 clients are counted per `perIP.ipv6Prefix` network (a /64 by
 * default), IPv4-mapped IPv6 as its IPv4 address: see `ipRateLimitKey`.
 */
export async function limitPerIP(
  ctx: AuthContext,
  action: PerIPAction,
  ip: string | null | undefined,
) {
  if (!ip) return;
  const { max, window, ipv6Prefix } = RATE_LIMIT_POLICIES[action].perIP(ctx.config);
  const now = ctx.now();
  const key = `ip:${action}:${ipRateLimitKey(ip, ipv6Prefix)}`;
  const current = await ctx.storage.rateLimits.hit(key, window * 1000, now);
  if (current.count > max) throw rateLimited(current, now);
}

/**
 * Counts a request to `action` for an account identifier (an email); throws `rate_limited`
 * past the action's per-account limit (`RATE_LIMIT_POLICIES`).
 */
export async function limitPerAccount(
  ctx: AuthContext,
  action: PerAccountAction,
  identifier: string,
) {
  const { max, window } = RATE_LIMIT_POLICIES[action].perAccount(ctx.config);
  const now = ctx.now();
  const key = `account:${action}:${sha256Base64url(identifier)}`;
  const current = await ctx.storage.rateLimits.hit(key, window * 1000, now);
  if (current.count > max) throw rateLimited(current, now);
}

/*
 * Failed sign-ins (NIST SP 800-63B-4 rate limiting: at most 100 consecutive failures per account).
 * Two entries per identifier, both hashed: the count of consecutive failures, which lives
 * `loginFailures.window` (30 days by default) from the first failure after a success, and the
 * current lock. Only a success (`clearLoginFailures`: a password sign-in, a password reset)
 * clears them; waiting out a lock does not, so pacing the guesses buys nothing. The rate-limit
 * port only keeps entries with an expiry, so the count is forgotten after `window` at the
 * latest: the bound is `maxConsecutive` failures per `window`, however they are paced. (A count
 * that never expired would need a port without expiries; a longer `window` comes closer.)
 */
const failureKey = (identifier: string) => `login-failures:${sha256Base64url(identifier)}`;
const lockKey = (identifier: string) => `login-lock:${sha256Base64url(identifier)}`;

/**
 * Throws `rate_limited` while the account is locked after repeated failures: for a back-off
 * lock, until it ends; past `maxConsecutive` failures, until the count is forgotten or cleared
 * (a password reset), even for the right password.
 */
export async function assertLoginAllowed(ctx: AuthContext, identifier: string) {
  const now = ctx.now();
  const lock = await ctx.storage.rateLimits.peek(lockKey(identifier), now);
  if (lock) throw rateLimited(lock, now);
  // The count decides too: concurrent failures may have left a shorter lock than the cap's.
  const failures = await ctx.storage.rateLimits.peek(failureKey(identifier), now);
  if (failures && failures.count >= ctx.config.rateLimit.loginFailures.maxConsecutive) {
    throw rateLimited(failures, now);
  }
}

/**
 * Counts a failed sign-in. Past the free attempts each failure locks the account for twice as
 * long as the one before, up to `maxLockSeconds`: guessing slows to a crawl while the owner is
 * only ever briefly locked out. The failure that reaches `maxConsecutive` locks password
 * sign-in for a whole `window` instead, which only a password reset (or another success that
 * calls `clearLoginFailures`) lifts early. Unknown accounts are counted alike, so a 429
 * reveals nothing about which emails have accounts.
 */
export async function recordLoginFailure(
  ctx: AuthContext,
  identifier: string,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const { freeAttempts, window, lockSeconds, maxLockSeconds, maxConsecutive } =
    ctx.config.rateLimit.loginFailures;
  const now = ctx.now();
  const failures = await ctx.storage.rateLimits.hit(failureKey(identifier), window * 1000, now);
  let seconds: number;
  if (failures.count >= maxConsecutive) {
    seconds = window;
  } else if (failures.count >= freeAttempts) {
    const exponent = Math.min(failures.count - freeAttempts, 30);
    seconds = Math.min(lockSeconds * 2 ** exponent, maxLockSeconds);
  } else {
    return { failures: failures.count, lockedUntil: null };
  }
  await ctx.storage.rateLimits.reset(lockKey(identifier));
  const lock = await ctx.storage.rateLimits.hit(lockKey(identifier), seconds * 1000, now);
  return { failures: failures.count, lockedUntil: lock.resetAt };
}

/** A success: forgets the failure count and lifts any lock (after a password reset, say). */
export async function clearLoginFailures(ctx: AuthContext, identifier: string) {
  await ctx.storage.rateLimits.reset(failureKey(identifier));
  await ctx.storage.rateLimits.reset(lockKey(identifier));
}
