import type { SqlDriver } from "./driver.js";

/** What the `delete(userId, id, { keepLast })` of the passkeys and linked-accounts ports answers. */
export type DeleteOutcome = "deleted" | "not_found" | "last";

/**
 * The `delete(userId, id, { keepLast })` of a table of rows owned by a user (`user_id`, `id`):
 * the passkeys and the linked OAuth identities. `table` is a name from `TableNames`, never input.
 *
 * With `keepLast`, deletes unless it is the user's last row, in one statement: the count is
 * inside the DELETE, so of two concurrent deletes of the user's last two rows one keeps its row.
 * PostgreSQL first locks the user's rows (FOR UPDATE, in id order so two deletes cannot
 * deadlock), so a concurrent delete of the user's other row waits and then counts what is left;
 * SQLite runs one statement at a time anyway. When nothing was deleted, an existence check tells
 * "last" (the row is there) from "not_found".
 */
export function deleteUnlessLast(
  db: SqlDriver,
  table: string,
): (userId: string, id: string, options?: { keepLast?: boolean }) => Promise<DeleteOutcome> {
  const unlessLast =
    db.dialect === "postgres"
      ? `WITH mine AS (SELECT id FROM ${table} WHERE user_id = ? ORDER BY id FOR UPDATE)
DELETE FROM ${table} WHERE user_id = ? AND id = ? AND (SELECT count(*) FROM mine) > 1`
      : `DELETE FROM ${table} WHERE user_id = ? AND id = ?
AND (SELECT count(*) FROM ${table} WHERE user_id = ?) > 1`;

  return async (userId, id, options = {}) => {
    if (!options.keepLast) {
      const changed = await db.execute(`DELETE FROM ${table} WHERE user_id = ? AND id = ?`, [
        userId,
        id,
      ]);
      return changed === 1 ? "deleted" : "not_found";
    }
    // The placeholders in the order each statement above reads them.
    const params = db.dialect === "postgres" ? [userId, userId, id] : [userId, id, userId];
    if ((await db.execute(unlessLast, params)) === 1) return "deleted";
    const exists = await db.get(`SELECT 1 AS found FROM ${table} WHERE user_id = ? AND id = ?`, [
      userId,
      id,
    ]);
    return exists ? "last" : "not_found";
  };
}
