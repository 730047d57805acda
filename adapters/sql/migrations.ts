import type { Dialect } from "./driver.js";
import type { TableNames } from "./tables.js";

/**
 * The schema, as numbered migrations. A migration is never edited once released: a change is a
 * new migration. Times are stored as milliseconds since the epoch (bigint) in both dialects, so
 * the two share every query and no time-zone setting can shift a timestamp.
 */
export interface Migration {
  version: number;
  name: string;
  statements(dialect: Dialect, t: TableNames): string[];
}

function types(dialect: Dialect) {
  return dialect === "postgres"
    ? { time: "BIGINT", bool: "BOOLEAN", int: "INTEGER" }
    : { time: "INTEGER", bool: "INTEGER", int: "INTEGER" };
}

/** Index names live in the table's schema in PostgreSQL, so they are named without one. */
function indexName(table: string, suffix: string): string {
  const bare = table.includes(".") ? (table.split(".")[1] as string) : table;
  return `${bare}_${suffix}`;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: "core",
    statements(dialect, t) {
      const { time, bool, int } = types(dialect);
      return [
        `CREATE TABLE ${t.users} (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  email_verified ${bool} NOT NULL,
  name TEXT,
  created_at ${time} NOT NULL,
  updated_at ${time} NOT NULL
)`,
        `CREATE TABLE ${t.passwords} (
  user_id TEXT PRIMARY KEY REFERENCES ${t.users} (id) ON DELETE CASCADE,
  hash TEXT NOT NULL
)`,
        `CREATE TABLE ${t.sessions} (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE,
  created_at ${time} NOT NULL,
  expires_at ${time} NOT NULL,
  absolute_expires_at ${time} NOT NULL,
  ip TEXT,
  user_agent TEXT
)`,
        `CREATE INDEX ${indexName(t.sessions, "user_id")} ON ${t.sessions} (user_id)`,
        `CREATE INDEX ${indexName(t.sessions, "expires_at")} ON ${t.sessions} (expires_at)`,
        `CREATE TABLE ${t.verifications} (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  user_id TEXT REFERENCES ${t.users} (id) ON DELETE CASCADE,
  identifier TEXT NOT NULL,
  data TEXT,
  created_at ${time} NOT NULL,
  expires_at ${time} NOT NULL
)`,
        `CREATE INDEX ${indexName(t.verifications, "user_id")} ON ${t.verifications} (user_id)`,
        `CREATE INDEX ${indexName(t.verifications, "expires_at")} ON ${t.verifications} (expires_at)`,
        `CREATE TABLE ${t.rateLimits} (
  key TEXT PRIMARY KEY,
  count ${int} NOT NULL,
  reset_at ${time} NOT NULL
)`,
        `CREATE INDEX ${indexName(t.rateLimits, "reset_at")} ON ${t.rateLimits} (reset_at)`,
      ];
    },
  },
  {
    version: 2,
    name: "tokens-passkeys-outbox",
    statements(dialect, t) {
      const { time, bool, int } = types(dialect);
      const counter = dialect === "postgres" ? "BIGINT" : "INTEGER";
      return [
        `CREATE TABLE ${t.passkeys} (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE,
  public_key TEXT NOT NULL,
  counter ${counter} NOT NULL,
  transports TEXT NOT NULL,
  device_type TEXT NOT NULL,
  backed_up ${bool} NOT NULL,
  name TEXT,
  created_at ${time} NOT NULL,
  last_used_at ${time}
)`,
        `CREATE INDEX ${indexName(t.passkeys, "user_id")} ON ${t.passkeys} (user_id)`,
        // session_id has no foreign key: sessions may live in another store (Redis).
        `CREATE TABLE ${t.refreshFamilies} (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE,
  session_id TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  previous_secret_hash TEXT,
  rotated_at ${time},
  created_at ${time} NOT NULL,
  expires_at ${time} NOT NULL
)`,
        `CREATE INDEX ${indexName(t.refreshFamilies, "session_id")} ON ${t.refreshFamilies} (session_id)`,
        `CREATE INDEX ${indexName(t.refreshFamilies, "expires_at")} ON ${t.refreshFamilies} (expires_at)`,
        `CREATE TABLE ${t.revocations} (
  session_id TEXT PRIMARY KEY,
  revoked_until ${time} NOT NULL
)`,
        `CREATE INDEX ${indexName(t.revocations, "revoked_until")} ON ${t.revocations} (revoked_until)`,
        `CREATE TABLE ${t.outbox} (
  id TEXT PRIMARY KEY,
  payload TEXT NOT NULL,
  attempts ${int} NOT NULL,
  available_at ${time} NOT NULL,
  last_error TEXT,
  created_at ${time} NOT NULL,
  dead_at ${time}
)`,
        `CREATE INDEX ${indexName(t.outbox, "available_at")} ON ${t.outbox} (available_at)`,
      ];
    },
  },
  {
    version: 3,
    name: "passkey-provenance",
    statements(_dialect, t) {
      return [
        `ALTER TABLE ${t.passkeys} ADD COLUMN created_ip TEXT`,
        `ALTER TABLE ${t.passkeys} ADD COLUMN created_user_agent TEXT`,
      ];
    },
  },
  {
    version: 4,
    name: "user-metadata",
    // JSON text in both dialects (not jsonb): the library reads and writes it whole, never
    // queries into it, and one column type keeps the two dialects' queries the same.
    statements(_dialect, t) {
      return [`ALTER TABLE ${t.users} ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}'`];
    },
  },
  {
    version: 5,
    name: "audit-log",
    // No foreign key to the users: audit records outlive the account (purged by retention).
    // `seq` orders records of one instant and, with occurred_at, makes the page cursor.
    statements(dialect, t) {
      const { time } = types(dialect);
      const seq =
        dialect === "postgres"
          ? "seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
          : "seq INTEGER PRIMARY KEY AUTOINCREMENT";
      return [
        `CREATE TABLE ${t.audit} (
  ${seq},
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  occurred_at ${time} NOT NULL,
  user_id TEXT,
  ip TEXT,
  user_agent TEXT,
  data TEXT NOT NULL
)`,
        `CREATE INDEX ${indexName(t.audit, "user_id_at")} ON ${t.audit} (user_id, occurred_at, seq)`,
        `CREATE INDEX ${indexName(t.audit, "type_at")} ON ${t.audit} (type, occurred_at, seq)`,
        `CREATE INDEX ${indexName(t.audit, "at")} ON ${t.audit} (occurred_at, seq)`,
      ];
    },
  },
  {
    version: 6,
    name: "user-disabled",
    // Null while the account may sign in. No index: the guard reads it from the row it already
    // joins, and the admin's count scans the users table anyway.
    statements(dialect, t) {
      const { time } = types(dialect);
      return [`ALTER TABLE ${t.users} ADD COLUMN disabled_at ${time}`];
    },
  },
  {
    version: 7,
    name: "mfa",
    // One row per user with a second factor set up. The recovery codes' hashes are one JSON
    // array (text, as metadata): a code is used by a compare-and-swap on the whole column, so
    // turning MFA on (secret, codes, last step) is one conditional UPDATE too.
    statements(dialect, t) {
      const { time } = types(dialect);
      const step = dialect === "postgres" ? "BIGINT" : "INTEGER";
      return [
        `CREATE TABLE ${t.mfa} (
  user_id TEXT PRIMARY KEY REFERENCES ${t.users} (id) ON DELETE CASCADE,
  totp_secret TEXT,
  enabled_at ${time},
  last_used_step ${step} NOT NULL DEFAULT 0,
  pending_secret TEXT,
  recovery_codes TEXT NOT NULL DEFAULT '[]',
  updated_at ${time} NOT NULL
)`,
      ];
    },
  },
  {
    version: 8,
    name: "oauth-accounts",
    // Linked OAuth identities: (provider, subject) is unique, so one identity signs in one user
    // however many callbacks race to link it. `tokens` is sealed by the library, or null.
    statements(dialect, t) {
      const { time } = types(dialect);
      return [
        `CREATE TABLE ${t.accounts} (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE,
  email TEXT,
  tokens TEXT,
  created_at ${time} NOT NULL,
  UNIQUE (provider, subject)
)`,
        `CREATE INDEX ${indexName(t.accounts, "user_id")} ON ${t.accounts} (user_id)`,
      ];
    },
  },
];

/** The bookkeeping table: one row per applied migration. */
export function migrationsTable(dialect: Dialect, t: TableNames): string {
  const { time } = types(dialect);
  return `CREATE TABLE IF NOT EXISTS ${t.migrations} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at ${time} NOT NULL
)`;
}

/** The whole schema as one script, for users who run their own migration tool. */
export function schemaSql(dialect: Dialect, t: TableNames, schema?: string): string {
  const parts: string[] = [];
  if (schema !== undefined && dialect === "postgres") {
    parts.push(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  }
  parts.push(migrationsTable(dialect, t));
  for (const migration of migrations) {
    parts.push(`-- ${migration.version}: ${migration.name}`);
    parts.push(...migration.statements(dialect, t));
    parts.push(
      `INSERT INTO ${t.migrations} (version, name, applied_at) VALUES (${migration.version}, '${migration.name}', ${Date.now()})`,
    );
  }
  return `${parts.map((part) => (part.startsWith("--") ? part : `${part};`)).join("\n\n")}\n`;
}
