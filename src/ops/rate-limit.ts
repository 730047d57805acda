import type { AuthContext } from "../context.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { RateLimitWindow } from "../storage/ports.js";

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

/** Counts a request to `action` from `ip`; throws `rate_limited` past the per-IP limit. */
export async function limitPerIP(ctx: AuthContext, action: string, ip: string | null | undefined) {
  if (!ip) return;
  const { max, window } = ctx.config.rateLimit.perIP;
  const now = ctx.now();
  const current = await ctx.storage.rateLimits.hit(`ip:${action}:${ip}`, window * 1000, now);
  if (current.count > max) throw rateLimited(current, now);
}

/** Counts a request to `action` for an account identifier (an email); throws past `max`. */
export async function limitPerAccount(
  ctx: AuthContext,
  action: string,
  identifier: string,
  limit: { max: number; window: number },
) {
  const now = ctx.now();
  const key = `account:${action}:${sha256Base64url(identifier)}`;
  const current = await ctx.storage.rateLimits.hit(key, limit.window * 1000, now);
  if (current.count > limit.max) throw rateLimited(current, now);
}

const failureKey = (identifier: string) => `login-failures:${sha256Base64url(identifier)}`;
const lockKey = (identifier: string) => `login-lock:${sha256Base64url(identifier)}`;

/** Throws `rate_limited` while the account is locked after repeated failures. */
export async function assertLoginAllowed(ctx: AuthContext, identifier: string) {
  const now = ctx.now();
  const lock = await ctx.storage.rateLimits.peek(lockKey(identifier), now);
  if (lock) throw rateLimited(lock, now);
}

/**
 * Counts a failed sign-in. Past the free attempts each failure locks the account for twice as
 * long as the one before, up to `maxLockSeconds`: guessing slows to a crawl while the owner is
 * only ever briefly locked out. Unknown accounts are counted alike, so a 429 reveals nothing.
 */
export async function recordLoginFailure(ctx: AuthContext, identifier: string) {
  const { freeAttempts, window, lockSeconds, maxLockSeconds } = ctx.config.rateLimit.loginFailures;
  const now = ctx.now();
  const failures = await ctx.storage.rateLimits.hit(failureKey(identifier), window * 1000, now);
  if (failures.count < freeAttempts) return;
  const exponent = Math.min(failures.count - freeAttempts, 30);
  const seconds = Math.min(lockSeconds * 2 ** exponent, maxLockSeconds);
  await ctx.storage.rateLimits.reset(lockKey(identifier));
  await ctx.storage.rateLimits.hit(lockKey(identifier), seconds * 1000, now);
}

export async function clearLoginFailures(ctx: AuthContext, identifier: string) {
  await ctx.storage.rateLimits.reset(failureKey(identifier));
}
