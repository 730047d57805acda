import type { RevocationStore } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import { toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

export function sqlRevocations(db: SqlDriver, t: TableNames): RevocationStore {
  return {
    async revokeSessions(sessionIds, until) {
      if (sessionIds.length === 0) return;
      const at = toMillis(until);
      // An upsert per session that keeps the later expiry, all in one transaction.
      await db.transaction(
        sessionIds.map((sessionId) => ({
          sql: `INSERT INTO ${t.revocations} AS r (session_id, revoked_until) VALUES (?, ?)
ON CONFLICT (session_id) DO UPDATE SET revoked_until =
  CASE WHEN excluded.revoked_until > r.revoked_until THEN excluded.revoked_until ELSE r.revoked_until END`,
          params: [sessionId, at],
        })),
      );
    },
    async isSessionRevoked(sessionId, now) {
      const row = await db.get(
        `SELECT 1 AS revoked FROM ${t.revocations} WHERE session_id = ? AND revoked_until > ?`,
        [sessionId, toMillis(now)],
      );
      return row !== null;
    },
    async deleteExpired(now) {
      return db.execute(`DELETE FROM ${t.revocations} WHERE revoked_until <= ?`, [toMillis(now)]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
