import type { OutboxRecord, OutboxStore } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface OutboxRow {
  id: string;
  payload: string;
  attempts: unknown;
  available_at: unknown;
  last_error: string | null;
  created_at: unknown;
  dead_at: unknown;
}

const COLUMNS = "id, payload, attempts, available_at, last_error, created_at, dead_at";

function toRecord(row: OutboxRow): OutboxRecord {
  return {
    id: row.id,
    payload: row.payload,
    attempts: Number(row.attempts),
    availableAt: toDate(row.available_at),
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    deadAt: row.dead_at === null ? null : toDate(row.dead_at),
  };
}

export function sqlOutbox(db: SqlDriver, t: TableNames): OutboxStore {
  return {
    async enqueue(record) {
      await db.execute(`INSERT INTO ${t.outbox} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
        record.id,
        record.payload,
        record.attempts,
        toMillis(record.availableAt),
        record.lastError,
        toMillis(record.createdAt),
        record.deadAt === null ? null : toMillis(record.deadAt),
      ]);
    },
    async claimDue(now, leaseUntil, limit) {
      const at = toMillis(now);
      const candidates = await db.all<{ id: string }>(
        `SELECT id FROM ${t.outbox} WHERE dead_at IS NULL AND available_at <= ? ORDER BY available_at, id LIMIT ?`,
        [at, limit],
      );
      if (candidates.length === 0) return [];
      // The lease is taken by an UPDATE that re-checks that each message is still due: a
      // concurrent claim that leased it first (PostgreSQL re-reads the row once that claim
      // commits) makes the condition false, so a message goes to one claimant only.
      const placeholders = candidates.map(() => "?").join(", ");
      const rows = await db.all<OutboxRow>(
        `UPDATE ${t.outbox} SET available_at = ?, attempts = attempts + 1
WHERE id IN (${placeholders}) AND dead_at IS NULL AND available_at <= ? RETURNING ${COLUMNS}`,
        [toMillis(leaseUntil), ...candidates.map((row) => row.id), at],
      );
      const order = new Map(candidates.map((row, index) => [row.id, index]));
      return rows.map(toRecord).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    },
    async markSent(id) {
      await db.execute(`DELETE FROM ${t.outbox} WHERE id = ?`, [id]);
    },
    async reschedule(id, availableAt, lastError) {
      await db.execute(`UPDATE ${t.outbox} SET available_at = ?, last_error = ? WHERE id = ?`, [
        toMillis(availableAt),
        lastError,
        id,
      ]);
    },
    async markDead(id, deadAt, lastError) {
      await db.execute(`UPDATE ${t.outbox} SET dead_at = ?, last_error = ? WHERE id = ?`, [
        toMillis(deadAt),
        lastError,
        id,
      ]);
    },
    async listDead(limit) {
      const rows = await db.all<OutboxRow>(
        `SELECT ${COLUMNS} FROM ${t.outbox} WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id LIMIT ?`,
        [limit],
      );
      return rows.map(toRecord);
    },
    async countPending() {
      const row = await db.get<{ pending: unknown }>(
        `SELECT COUNT(*) AS pending FROM ${t.outbox} WHERE dead_at IS NULL`,
      );
      return Number(row?.pending ?? 0);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
