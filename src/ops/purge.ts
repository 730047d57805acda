import { ConfigError } from "../config-error.js";
import type { AuthContext } from "../context/context.js";

/** How many expired records each port dropped. */
export interface PurgeResult {
  sessions: number;
  verifications: number;
  refreshTokens: number;
  revocations: number;
  rateLimits: number;
  /** Audit records older than `audit.retentionDays` (0 when they are kept forever). */
  audit: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes what has expired in every port that keeps expiring records, and the audit records
 * past their retention (`audit.retentionDays`). Stores whose keys expire by themselves (Redis
 * TTLs) report 0. Expired records are refused whether or not they were
 * purged: this only reclaims space. It is the only place expired sessions are deleted (reading
 * one writes nothing), and deleting them needs no revocation entry: nothing of ours accepts a
 * token of a session that is not live (`isLive`), and their access tokens end with their `exp`.
 */
export async function purgeExpired(ctx: AuthContext): Promise<PurgeResult> {
  const now = ctx.now();
  const { sessions, verifications, refreshTokens, revocations, rateLimits, audit } = ctx.storage;
  const { retentionDays } = ctx.config.audit;
  const [s, v, r, rv, rl, a] = await Promise.all([
    sessions.deleteExpired(now),
    verifications.deleteExpired(now),
    refreshTokens.deleteExpired(now),
    revocations.deleteExpired(now),
    rateLimits.deleteExpired?.(now) ?? 0,
    retentionDays === 0
      ? 0
      : audit.deleteOlderThan(new Date(now.getTime() - retentionDays * DAY_MS)),
  ]);
  return {
    sessions: s,
    verifications: v,
    refreshTokens: r,
    revocations: rv,
    rateLimits: rl,
    audit: a,
  };
}

/**
 * Runs `purge` every `seconds` until the returned function is called. A failed run (the
 * database is down) is skipped silently and retried at the next tick; the timer never keeps a
 * process alive on its own.
 *
 *   const stop = schedulePurge(auth.api.purgeExpired, 3600);
 */
export function schedulePurge(purge: () => Promise<unknown>, seconds: number): () => void {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError("schedulePurge needs a positive number of seconds");
  }
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    purge()
      .catch(() => {})
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
