import type { RateLimitStore, RateLimitWindow } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface WindowRow {
  count: unknown;
  reset_at: unknown;
}

const toWindow = (row: WindowRow): RateLimitWindow => ({
  count: Number(row.count),
  resetAt: toDate(row.reset_at),
});

/** Counters always live on the primary: a replica's count would let instances over-admit. */
export function sqlRateLimits(db: SqlDriver, t: TableNames): RateLimitStore {
  return {
    async hit(key, windowMs, now) {
      const at = toMillis(now);
      // One upsert decides: a new window, a restarted one, or one more hit in the current one.
      // Both dialects serialise conflicting upserts on the key, so no hit is lost.
      const row = await db.get<WindowRow>(
        `INSERT INTO ${t.rateLimits} AS w (key, count, reset_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN w.reset_at <= ? THEN 1 ELSE w.count + 1 END,
  reset_at = CASE WHEN w.reset_at <= ? THEN excluded.reset_at ELSE w.reset_at END
RETURNING count, reset_at`,
        [key, at + windowMs, at, at],
      );
      return toWindow(row as WindowRow);
    },
    async peek(key, now) {
      const row = await db.get<WindowRow>(
        `SELECT count, reset_at FROM ${t.rateLimits} WHERE key = ? AND reset_at > ?`,
        [key, toMillis(now)],
      );
      return row ? toWindow(row) : null;
    },
    async reset(key) {
      await db.execute(`DELETE FROM ${t.rateLimits} WHERE key = ?`, [key]);
    },
    async deleteExpired(now: Date) {
      return db.execute(`DELETE FROM ${t.rateLimits} WHERE reset_at <= ?`, [toMillis(now)]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
