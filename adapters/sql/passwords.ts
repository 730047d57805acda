import type { PasswordStore } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import type { TableNames } from "./tables.js";

/** Always the primary: a replica could still hold a hash the user has just replaced. */
export function sqlPasswords(db: SqlDriver, t: TableNames): PasswordStore {
  return {
    async get(userId) {
      const row = await db.get<{ hash: string }>(
        `SELECT hash FROM ${t.passwords} WHERE user_id = ?`,
        [userId],
      );
      return row?.hash ?? null;
    },
    async set(userId, hash) {
      await db.execute(
        `INSERT INTO ${t.passwords} (user_id, hash) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash`,
        [userId, hash],
      );
    },
    async replace(userId, expected, next) {
      // One conditional UPDATE: of two concurrent replacements of one hash, one changes a row.
      const changed = await db.execute(
        `UPDATE ${t.passwords} SET hash = ? WHERE user_id = ? AND hash = ?`,
        [next, userId, expected],
      );
      return changed === 1;
    },
    async delete(userId) {
      await db.execute(`DELETE FROM ${t.passwords} WHERE user_id = ?`, [userId]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
