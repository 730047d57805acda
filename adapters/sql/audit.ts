import { decodeAuditCursor, encodeAuditCursor } from "../../src/storage/audit-cursor.js";
import type { AuditRecord, AuditStore } from "../../src/storage/ports.js";
import type { SqlDriver, SqlValue } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface AuditRow {
  seq: unknown;
  id: string;
  type: string;
  occurred_at: unknown;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: string;
}

const COLUMNS = "seq, id, type, occurred_at, user_id, ip, user_agent, data";

/** `data` is JSON text; anything else (written by hand) reads as `{}` rather than failing the page. */
function dataFromColumn(text: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    type: row.type,
    at: toDate(row.occurred_at),
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    data: dataFromColumn(row.data),
  };
}

/**
 * The audit log over one table. `seq` (an identity / autoincrement column) orders records of one
 * instant and makes the keyset cursor `(occurred_at, seq)`. No foreign key to the users: records
 * outlive the account. Pages are read from `reads` (a replica may lag by a moment).
 */
export function sqlAudit(db: SqlDriver, t: TableNames, reads: SqlDriver = db): AuditStore {
  return {
    async append(record) {
      await db.execute(
        `INSERT INTO ${t.audit} (id, type, occurred_at, user_id, ip, user_agent, data)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [
          record.id,
          record.type,
          toMillis(record.at),
          record.userId,
          record.ip,
          record.userAgent,
          JSON.stringify(record.data ?? {}),
        ],
      );
    },
    async query({ userId, type, since, until, limit, cursor }) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (userId !== undefined) {
        where.push("user_id = ?");
        params.push(userId);
      }
      if (type !== undefined) {
        where.push("type = ?");
        params.push(type);
      }
      if (since !== undefined) {
        where.push("occurred_at >= ?");
        params.push(toMillis(since));
      }
      if (until !== undefined) {
        where.push("occurred_at < ?");
        params.push(toMillis(until));
      }
      if (cursor !== undefined) {
        const after = decodeAuditCursor(cursor);
        where.push("(occurred_at < ? OR (occurred_at = ? AND seq < ?))");
        params.push(after.at, after.at, after.seq);
      }
      // One more than asked: whether it comes back says whether there is a next page.
      const rows = await reads.all<AuditRow>(
        `SELECT ${COLUMNS} FROM ${t.audit}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}
ORDER BY occurred_at DESC, seq DESC LIMIT ?`,
        [...params, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        records: page.map(toRecord),
        nextCursor:
          rows.length > limit && last !== undefined
            ? encodeAuditCursor({ at: Number(last.occurred_at), seq: Number(last.seq) })
            : null,
      };
    },
    async deleteOlderThan(date) {
      return db.execute(`DELETE FROM ${t.audit} WHERE occurred_at < ?`, [toMillis(date)]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
