import type { PasskeyRecord, PasskeyStore } from "../../src/storage/ports.js";
import { deleteUnlessLast } from "./delete-unless-last.js";
import type { SqlDriver } from "./driver.js";
import { toBoolean, toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface PasskeyRow {
  id: string;
  user_id: string;
  public_key: string;
  counter: unknown;
  transports: string;
  device_type: string;
  backed_up: unknown;
  name: string | null;
  created_at: unknown;
  last_used_at: unknown;
  created_ip: string | null;
  created_user_agent: string | null;
}

const COLUMNS =
  "id, user_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at, created_ip, created_user_agent";

function toRecord(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    deviceType: row.device_type as PasskeyRecord["deviceType"],
    backedUp: toBoolean(row.backed_up),
    name: row.name,
    createdAt: toDate(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : toDate(row.last_used_at),
    createdIp: row.created_ip,
    createdUserAgent: row.created_user_agent,
  };
}

export function sqlPasskeys(db: SqlDriver, t: TableNames): PasskeyStore {
  return {
    async create(passkey) {
      const changed = await db.execute(
        `INSERT INTO ${t.passkeys} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [
          passkey.id,
          passkey.userId,
          passkey.publicKey,
          passkey.counter,
          JSON.stringify(passkey.transports),
          passkey.deviceType,
          passkey.backedUp,
          passkey.name,
          toMillis(passkey.createdAt),
          passkey.lastUsedAt === null ? null : toMillis(passkey.lastUsedAt),
          passkey.createdIp,
          passkey.createdUserAgent,
        ],
      );
      return changed === 1;
    },
    async findById(id) {
      const row = await db.get<PasskeyRow>(`SELECT ${COLUMNS} FROM ${t.passkeys} WHERE id = ?`, [
        id,
      ]);
      return row ? toRecord(row) : null;
    },
    async listByUser(userId) {
      const rows = await db.all<PasskeyRow>(
        `SELECT ${COLUMNS} FROM ${t.passkeys} WHERE user_id = ? ORDER BY created_at, id`,
        [userId],
      );
      return rows.map(toRecord);
    },
    async recordUse(id, use) {
      // The counter check is in the WHERE clause: of two uses replaying one value, one matches.
      const changed = await db.execute(
        `UPDATE ${t.passkeys} SET counter = ?, backed_up = ?, last_used_at = ?
WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))`,
        [use.counter, use.backedUp, toMillis(use.usedAt), id, use.counter, use.counter],
      );
      return changed === 1;
    },
    async rename(userId, id, name) {
      const row = await db.get<PasskeyRow>(
        `UPDATE ${t.passkeys} SET name = ? WHERE user_id = ? AND id = ? RETURNING ${COLUMNS}`,
        [name, userId, id],
      );
      return row ? toRecord(row) : null;
    },
    /**
     * Deletes, with `keepLast` unless it is the user's last passkey, in one statement (the count
     * is inside the DELETE, so two concurrent deletes keep one): `delete-unless-last.ts`, shared
     * with the linked accounts.
     */
    delete: deleteUnlessLast(db, t.passkeys),
    async deleteByUser(userId) {
      return db.execute(`DELETE FROM ${t.passkeys} WHERE user_id = ?`, [userId]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
