import type { VerificationRecord, VerificationStore } from "../../src/storage/ports.js";
import type { SqlDriver, SqlValue } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface VerificationRow {
  id: string;
  purpose: string;
  user_id: string | null;
  identifier: string;
  data: string | null;
  created_at: unknown;
  expires_at: unknown;
}

const COLUMNS = "id, purpose, user_id, identifier, data, created_at, expires_at";

function toRecord(row: VerificationRow): VerificationRecord {
  return {
    id: row.id,
    purpose: row.purpose,
    userId: row.user_id,
    identifier: row.identifier,
    data: row.data,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  };
}

export function sqlVerifications(db: SqlDriver, t: TableNames): VerificationStore {
  return {
    async create(record) {
      await db.execute(`INSERT INTO ${t.verifications} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
        record.id,
        record.purpose,
        record.userId,
        record.identifier,
        record.data,
        toMillis(record.createdAt),
        toMillis(record.expiresAt),
      ]);
    },
    async consume(id, purpose, now) {
      // DELETE ... RETURNING is one statement: of concurrent consumers, one gets the row.
      // An expired token is deleted too, and answers null.
      const row = await db.get<VerificationRow>(
        `DELETE FROM ${t.verifications} WHERE id = ? AND purpose = ? RETURNING ${COLUMNS}`,
        [id, purpose],
      );
      if (!row) return null;
      const record = toRecord(row);
      return record.expiresAt > now ? record : null;
    },
    async deleteByUser(userId, purpose) {
      const params: SqlValue[] = [userId];
      let sql = `DELETE FROM ${t.verifications} WHERE user_id = ?`;
      if (purpose !== undefined) {
        sql += " AND purpose = ?";
        params.push(purpose);
      }
      await db.execute(sql, params);
    },
    async deleteExpired(now) {
      return db.execute(`DELETE FROM ${t.verifications} WHERE expires_at <= ?`, [toMillis(now)]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
