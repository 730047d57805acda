import type { SessionRecord, SessionStore } from "../../src/storage/ports.js";
import type { User } from "../../src/types.js";
import type { SqlDriver } from "./driver.js";
import { toBoolean, toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";
import { disabledAtFromColumn, metadataFromColumn } from "./users.js";

interface SessionRow {
  id: string;
  secret_hash: string;
  user_id: string;
  created_at: unknown;
  expires_at: unknown;
  absolute_expires_at: unknown;
  ip: string | null;
  user_agent: string | null;
}

const COLUMNS =
  "id, secret_hash, user_id, created_at, expires_at, absolute_expires_at, ip, user_agent";

/** A session row joined with its user's columns, renamed so that none collides. */
interface SessionUserRow extends SessionRow {
  user_email: string;
  user_email_verified: unknown;
  user_name: string | null;
  user_metadata: string;
  user_created_at: unknown;
  user_updated_at: unknown;
  user_disabled_at: unknown;
}

const JOINED_COLUMNS = [
  ...COLUMNS.split(", ").map((column) => `s.${column}`),
  "u.email AS user_email",
  "u.email_verified AS user_email_verified",
  "u.name AS user_name",
  "u.metadata AS user_metadata",
  "u.created_at AS user_created_at",
  "u.updated_at AS user_updated_at",
  "u.disabled_at AS user_disabled_at",
].join(", ");

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    userId: row.user_id,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    absoluteExpiresAt: toDate(row.absolute_expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/** The same User as the users port's `findById` builds from its row. */
function toUser(row: SessionUserRow): User {
  return {
    id: row.user_id,
    email: row.user_email,
    emailVerified: toBoolean(row.user_email_verified),
    name: row.user_name,
    metadata: metadataFromColumn(row.user_metadata),
    createdAt: toDate(row.user_created_at),
    updatedAt: toDate(row.user_updated_at),
    disabledAt: disabledAtFromColumn(row.user_disabled_at),
  };
}

/**
 * `get` and `getWithUser` read the primary (a session is read right after it is made, and a
 * revoked one must be refused at once); only the session list, shown to the user, and the
 * admin's count may come from a lagging replica. `getWithUser` joins the users table of the same
 * database: the guard's one query, which also brings the user's `disabled_at`. Nothing here filters on expiry; the core decides liveness (`isLive`), and
 * `deleteExpired` deletes exactly the sessions that are not live.
 */
export function sqlSessions(db: SqlDriver, t: TableNames, reads: SqlDriver = db): SessionStore {
  return {
    async create(session) {
      await db.execute(`INSERT INTO ${t.sessions} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
        session.id,
        session.secretHash,
        session.userId,
        toMillis(session.createdAt),
        toMillis(session.expiresAt),
        toMillis(session.absoluteExpiresAt),
        session.ip,
        session.userAgent,
      ]);
    },
    async get(id) {
      const row = await db.get<SessionRow>(`SELECT ${COLUMNS} FROM ${t.sessions} WHERE id = ?`, [
        id,
      ]);
      return row ? toRecord(row) : null;
    },
    async getWithUser(id) {
      const row = await db.get<SessionUserRow>(
        `SELECT ${JOINED_COLUMNS} FROM ${t.sessions} s JOIN ${t.users} u ON u.id = s.user_id WHERE s.id = ?`,
        [id],
      );
      return row ? { session: toRecord(row), user: toUser(row) } : null;
    },
    async updateExpiry(id, expiresAt) {
      await db.execute(`UPDATE ${t.sessions} SET expires_at = ? WHERE id = ?`, [
        toMillis(expiresAt),
        id,
      ]);
    },
    async delete(id) {
      await db.execute(`DELETE FROM ${t.sessions} WHERE id = ?`, [id]);
    },
    async deleteByUser(userId, exceptId) {
      const rows = await db.all<{ id: string }>(
        `DELETE FROM ${t.sessions} WHERE user_id = ? AND id <> ? RETURNING id`,
        [userId, exceptId ?? ""],
      );
      return rows.map((row) => row.id);
    },
    async listByUser(userId) {
      const rows = await reads.all<SessionRow>(
        `SELECT ${COLUMNS} FROM ${t.sessions} WHERE user_id = ? ORDER BY created_at DESC, id`,
        [userId],
      );
      return rows.map(toRecord);
    },
    async deleteExpired(now) {
      const at = toMillis(now);
      return db.execute(
        `DELETE FROM ${t.sessions} WHERE expires_at <= ? OR absolute_expires_at <= ?`,
        [at, at],
      );
    },
    async countLive(now) {
      // The negation of deleteExpired's condition: exactly the sessions isLive counts.
      const at = toMillis(now);
      const row = await reads.get<{ n: unknown }>(
        `SELECT count(*) AS n FROM ${t.sessions} WHERE expires_at > ? AND absolute_expires_at > ?`,
        [at, at],
      );
      return Number(row?.n ?? 0);
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
