import {
  type AuditPosition,
  decodeAuditCursor,
  encodeAuditCursor,
  isBefore,
} from "../audit-cursor.js";
import type { AuditRecord, AuditStore } from "../ports.js";

interface Row {
  record: AuditRecord;
  seq: number;
}

const positionOf = (row: Row): AuditPosition => ({ at: row.record.at.getTime(), seq: row.seq });

/** A copy as a database would hand it back: `data` through JSON, dates fresh. */
function copy(record: AuditRecord): AuditRecord {
  return {
    ...record,
    at: new Date(record.at.getTime()),
    data: JSON.parse(JSON.stringify(record.data ?? {})) as Record<string, unknown>,
  };
}

export function memoryAudit(): AuditStore {
  let rows: Row[] = [];
  const ids = new Set<string>();
  let sequence = 0;

  return {
    async append(record) {
      if (ids.has(record.id)) return;
      ids.add(record.id);
      rows.push({ record: copy(record), seq: ++sequence });
    },
    async query({ userId, type, since, until, limit, cursor }) {
      const after = cursor === undefined ? null : decodeAuditCursor(cursor);
      const matching = rows
        .filter(
          (row) =>
            (userId === undefined || row.record.userId === userId) &&
            (type === undefined || row.record.type === type) &&
            (since === undefined || row.record.at >= since) &&
            (until === undefined || row.record.at < until) &&
            (after === null || isBefore(after, positionOf(row))),
        )
        .sort((a, b) => (isBefore(positionOf(a), positionOf(b)) ? -1 : 1));
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      return {
        records: page.map((row) => copy(row.record)),
        nextCursor:
          matching.length > limit && last !== undefined
            ? encodeAuditCursor(positionOf(last))
            : null,
      };
    },
    async deleteOlderThan(date) {
      const before = rows.length;
      rows = rows.filter((row) => {
        if (row.record.at >= date) return true;
        ids.delete(row.record.id);
        return false;
      });
      return before - rows.length;
    },
  };
}
