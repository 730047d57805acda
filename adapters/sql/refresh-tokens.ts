import type { RefreshFamilyRecord, RefreshTokenStore } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface FamilyRow {
  id: string;
  user_id: string;
  session_id: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  rotated_at: unknown;
  created_at: unknown;
  expires_at: unknown;
}

const COLUMNS =
  "id, user_id, session_id, secret_hash, previous_secret_hash, rotated_at, created_at, expires_at";

function toRecord(row: FamilyRow): RefreshFamilyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    sessionId: row.session_id,
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    rotatedAt: row.rotated_at === null ? null : toDate(row.rotated_at),
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  };
}

/** Always the primary: a replica would let a rotated-away secret look current. */
export function sqlRefreshTokens(db: SqlDriver, t: TableNames): RefreshTokenStore {
  return {
    async create(family) {
      await db.execute(
        `INSERT INTO ${t.refreshFamilies} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          family.id,
          family.userId,
          family.sessionId,
          family.secretHash,
          family.previousSecretHash,
          family.rotatedAt === null ? null : toMillis(family.rotatedAt),
          toMillis(family.createdAt),
          toMillis(family.expiresAt),
        ],
      );
    },
    async get(id) {
      const row = await db.get<FamilyRow>(
        `SELECT ${COLUMNS} FROM ${t.refreshFamilies} WHERE id = ?`,
        [id],
      );
      return row ? toRecord(row) : null;
    },
    async rotate(id, expectedHash, nextHash, now) {
      // Compare-and-swap in the WHERE clause: one of concurrent rotations changes the row.
      const changed = await db.execute(
        `UPDATE ${t.refreshFamilies} SET previous_secret_hash = secret_hash, secret_hash = ?, rotated_at = ?
WHERE id = ? AND secret_hash = ?`,
        [nextHash, toMillis(now), id, expectedHash],
      );
      return changed === 1;
    },
    async delete(id) {
      await db.execute(`DELETE FROM ${t.refreshFamilies} WHERE id = ?`, [id]);
    },
    async deleteBySessions(sessionIds) {
      if (sessionIds.length === 0) return;
      const placeholders = sessionIds.map(() => "?").join(", ");
      await db.execute(
        `DELETE FROM ${t.refreshFamilies} WHERE session_id IN (${placeholders})`,
        sessionIds,
      );
    },
    async deleteExpired(now) {
      return db.execute(`DELETE FROM ${t.refreshFamilies} WHERE expires_at <= ?`, [toMillis(now)]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
