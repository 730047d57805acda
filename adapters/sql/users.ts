import { AuthError, isAuthError } from "../../src/errors.js";
import type { UserStore } from "../../src/storage/ports.js";
import type { User } from "../../src/types.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import type { SqlDriver, SqlValue } from "./driver.js";
import { migrations } from "./migrations.js";
import { toBoolean, toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface UserRow {
  id: string;
  email: string;
  email_verified: unknown;
  name: string | null;
  metadata: string;
  created_at: unknown;
  updated_at: unknown;
  disabled_at: unknown;
}

/**
 * `metadata` is kept as JSON text in both dialects (the library validated it as a small JSON
 * object). A value that is not a JSON object, written by hand, reads as `{}` rather than failing
 * every read of the user.
 */
export function metadataFromColumn(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** `disabled_at`: null while the account may sign in. */
export const disabledAtFromColumn = (value: unknown): Date | null =>
  value === null || value === undefined ? null : toDate(value);

export const metadataToColumn = (metadata: Record<string, unknown>): string =>
  JSON.stringify(metadata);

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailVerified: toBoolean(row.email_verified),
    name: row.name,
    metadata: metadataFromColumn(row.metadata),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    disabledAt: disabledAtFromColumn(row.disabled_at),
  };
}

/** Uniqueness is enforced by the database on `email_key`, never by a read before the write. */
const emailKey = (email: string) => email.toLowerCase();

/** A LIKE pattern for the strings that start with `prefix` taken literally (ESCAPE backslash). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const emailTaken = (cause: unknown) =>
  new AuthError("email_taken", "An account with this email already exists", {}, { cause });

/**
 * `reads` may be a replica. A replica that has not yet seen a new user answers null, so a miss
 * there is asked again of the primary: a hit may be slightly stale, a miss is never trusted.
 */
export function sqlUsers(db: SqlDriver, t: TableNames, reads: SqlDriver = db): UserStore {
  const columns = "id, email, email_verified, name, metadata, created_at, updated_at, disabled_at";

  async function findOne(where: string, value: string, fresh = false): Promise<User | null> {
    const sql = `SELECT ${columns} FROM ${t.users} WHERE ${where} = ?`;
    const first = fresh ? db : reads;
    const row =
      (await first.get<UserRow>(sql, [value])) ??
      (first === db ? null : await db.get<UserRow>(sql, [value]));
    return row ? toUser(row) : null;
  }

  return {
    async create(user, credentials = {}) {
      const created = toMillis(user.createdAt);
      const metadata = metadataToColumn(user.metadata ?? {});
      const statements = [
        {
          sql: `INSERT INTO ${t.users} (id, email, email_key, email_verified, name, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [
            user.id,
            user.email,
            emailKey(user.email),
            user.emailVerified,
            user.name,
            metadata,
            created,
            created,
          ],
        },
      ];
      if (credentials.passwordHash !== undefined) {
        statements.push({
          sql: `INSERT INTO ${t.passwords} (user_id, hash) VALUES (?, ?)`,
          params: [user.id, credentials.passwordHash],
        });
      }
      try {
        await db.transaction(statements);
      } catch (error) {
        if (db.isUniqueViolation(error)) throw emailTaken(error);
        throw error;
      }
      // What a read would hand back: a copy of the metadata as stored, never the caller's object.
      return {
        ...user,
        metadata: metadataFromColumn(metadata),
        updatedAt: user.createdAt,
        disabledAt: null,
      };
    },

    findById: (id, options) => findOne("id", id, options?.fresh === true),
    findByEmail: (email) => findOne("email_key", emailKey(email)),

    async update(id, patch) {
      const sets: string[] = ["updated_at = ?"];
      const params: SqlValue[] = [toMillis(patch.updatedAt)];
      if (patch.email !== undefined) {
        sets.push("email = ?", "email_key = ?");
        params.push(patch.email, emailKey(patch.email));
      }
      if (patch.emailVerified !== undefined) {
        sets.push("email_verified = ?");
        params.push(patch.emailVerified);
      }
      if (patch.name !== undefined) {
        sets.push("name = ?");
        params.push(patch.name);
      }
      if (patch.metadata !== undefined) {
        sets.push("metadata = ?");
        params.push(metadataToColumn(patch.metadata));
      }
      if (patch.disabledAt !== undefined) {
        sets.push("disabled_at = ?");
        params.push(patch.disabledAt === null ? null : toMillis(patch.disabledAt));
      }
      try {
        const row = await db.get<UserRow>(
          `UPDATE ${t.users} SET ${sets.join(", ")} WHERE id = ? RETURNING ${columns}`,
          [...params, id],
        );
        return row ? toUser(row) : null;
      } catch (error) {
        if (db.isUniqueViolation(error)) throw emailTaken(error);
        throw error;
      }
    },

    async delete(id) {
      // Foreign keys with ON DELETE CASCADE remove the password, sessions and tokens with it.
      await db.execute(`DELETE FROM ${t.users} WHERE id = ?`, [id]);
    },

    async list({ emailPrefix, afterEmail, limit }) {
      // Keyset on the unique email_key: ORDER BY and `>` use the same collation, so pages
      // neither repeat nor skip. LIKE with every wildcard of the prefix escaped.
      const after = afterEmail === undefined ? "" : " AND email_key > ?";
      const rows = await reads.all<UserRow>(
        `SELECT ${columns} FROM ${t.users} WHERE email_key LIKE ? ESCAPE '\\'${after} ORDER BY email_key LIMIT ?`,
        [likePrefix(emailPrefix), ...(afterEmail === undefined ? [] : [afterEmail]), limit],
      );
      return rows.map(toUser);
    },

    async count({ createdSince }) {
      const since = createdSince.map(
        (_, i) => `COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS since_${i}`,
      );
      const row = await reads.get<Record<string, unknown>>(
        `SELECT count(*) AS total,
  COALESCE(SUM(CASE WHEN email_verified THEN 1 ELSE 0 END), 0) AS verified,
  COALESCE(SUM(CASE WHEN disabled_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS disabled${since.map((column) => `,\n  ${column}`).join("")}
FROM ${t.users}`,
        createdSince.map(toMillis),
      );
      return {
        total: Number(row?.total ?? 0),
        verified: Number(row?.verified ?? 0),
        disabled: Number(row?.disabled ?? 0),
        createdSince: createdSince.map((_, i) => Number(row?.[`since_${i}`] ?? 0)),
      };
    },

    /**
     * Reachable, migrated and writable: readiness must not say yes to a database whose every
     * query would fail, nor to one that answers reads and refuses writes (a standby the pool
     * ended up on after a failover, a read-only file), where every sign-in would fail. The
     * migrations table names the newest schema applied.
     */
    async ping() {
      // The highest version, wherever it sits in the list: versions are applied one by one.
      const latest = Math.max(0, ...migrations.map((migration) => migration.version));
      const row = await db.get<{ version: unknown }>(
        `SELECT max(version) AS version FROM ${t.migrations}`,
      );
      const applied = Number(row?.version ?? 0);
      if (applied < latest) {
        throw new AuthError(
          "unavailable",
          `The database schema is at version ${applied}, this Portcullis needs ${latest}: run \`portcullis migrate\``,
        );
      }
      // An UPDATE that matches no row changes nothing, and a read-only database refuses it all
      // the same (PostgreSQL's 25006, SQLite's READONLY), as the drivers' `unavailable`.
      try {
        await db.execute(`UPDATE ${t.migrations} SET version = version WHERE version < 0`);
      } catch (error) {
        if (!isAuthError(error) || error.code !== "unavailable") throw error;
        throw storageUnavailable(
          error,
          "The database answers reads but refused a write (a read-only standby or file, a full disk, or a lock held too long): sign-ins would fail",
        );
      }
    },
  };
}
