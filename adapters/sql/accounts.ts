import type { LinkedAccountRecord, LinkedAccountStore } from "../../src/storage/ports.js";
import { deleteUnlessLast } from "./delete-unless-last.js";
import type { SqlDriver } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface AccountRow {
  id: string;
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  tokens: string | null;
  created_at: unknown;
}

const COLUMNS = "id, provider, subject, user_id, email, tokens, created_at";

function toRecord(row: AccountRow): LinkedAccountRecord {
  return {
    id: row.id,
    provider: row.provider,
    subject: row.subject,
    userId: row.user_id,
    email: row.email,
    tokens: row.tokens,
    createdAt: toDate(row.created_at),
  };
}

/** Linked OAuth identities; the UNIQUE (provider, subject) constraint makes `create` atomic. */
export function sqlAccounts(db: SqlDriver, t: TableNames): LinkedAccountStore {
  return {
    async create(account) {
      // Both unique keys (id, and provider with subject) count as "linked already".
      const changed = await db.execute(
        `INSERT INTO ${t.accounts} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          account.id,
          account.provider,
          account.subject,
          account.userId,
          account.email,
          account.tokens,
          toMillis(account.createdAt),
        ],
      );
      return changed === 1;
    },
    async find(provider, subject) {
      const row = await db.get<AccountRow>(
        `SELECT ${COLUMNS} FROM ${t.accounts} WHERE provider = ? AND subject = ?`,
        [provider, subject],
      );
      return row ? toRecord(row) : null;
    },
    async listByUser(userId) {
      const rows = await db.all<AccountRow>(
        `SELECT ${COLUMNS} FROM ${t.accounts} WHERE user_id = ? ORDER BY created_at, id`,
        [userId],
      );
      return rows.map(toRecord);
    },
    async setTokens(userId, id, tokens) {
      await db.execute(`UPDATE ${t.accounts} SET tokens = ? WHERE user_id = ? AND id = ?`, [
        tokens,
        userId,
        id,
      ]);
    },
    /**
     * Unlinks, with `keepLast` unless it is the user's last identity, in one statement (the
     * count is inside the DELETE, so two concurrent unlinks keep one): `delete-unless-last.ts`,
     * shared with the passkeys.
     */
    delete: deleteUnlessLast(db, t.accounts),
    async deleteByUser(userId) {
      return db.execute(`DELETE FROM ${t.accounts} WHERE user_id = ?`, [userId]);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
