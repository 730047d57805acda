import { createRequire } from "node:module";
import { ConfigError } from "../../src/config-error.js";
import type { Storage } from "../../src/storage/ports.js";
import { sqlStorage } from "../sql/index.js";
import { tableNames } from "../sql/tables.js";
import { type SqliteDatabase, sqliteDriver } from "./driver.js";
import { withSqliteInvalidation } from "./invalidation.js";
import { migrateSqlite } from "./migrate.js";

/**
 * `portcullis/sqlite`: every port in one SQLite file, the embedded default for one process.
 *
 *   storage: sqliteStorage({ path: "./portcullis.db" })
 *
 * The file is created and migrated on first use, in WAL mode (readers never wait for the
 * writer). Pass `database` instead of `path` to use a connection you opened yourself, from
 * better-sqlite3 or node:sqlite. `migrate: false` skips the migrations, for schemas applied
 * with your own tool (`npx portcullis sql --dialect sqlite`).
 *
 * It includes the session cache's invalidation channel (`./invalidation.ts`), so
 * `session.cache` is on by default: this connection's writes reach the cache at once, and a
 * commit by any other connection to the file (another process) is noticed within 2 ms
 * (`PRAGMA data_version`). No `session.cache.singleInstance` is needed.
 */
export type SqliteStorageOptions =
  | { path: string; database?: never; migrate?: boolean }
  | { database: SqliteDatabase; path?: never; migrate?: boolean };

export function sqliteStorage(options: SqliteStorageOptions): Storage & { close(): void } {
  const db = options.database ?? openFile(options.path);
  configure(db);
  if (options.migrate !== false) migrateSqlite(db);
  const storage = withSqliteInvalidation(
    db,
    sqlStorage(sqliteDriver(db), { tables: tableNames() }),
  );
  return {
    ...storage,
    /** Closes the connection when this adapter opened it (a `path` was given). */
    close() {
      if (options.path !== undefined) (db as SqliteDatabase & { close(): void }).close();
    },
  };
}

function configure(db: SqliteDatabase): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  // Deleting a user deletes its password, sessions and tokens through ON DELETE CASCADE.
  db.exec("PRAGMA foreign_keys = ON");
  // Another process holding the write lock is waited for, not failed on.
  db.exec("PRAGMA busy_timeout = 5000");
}

/**
 * better-sqlite3 is an optional peer, loaded only when this adapter opens a file itself; without
 * it, node:sqlite's DatabaseSync (Node 22.5+) is used where the runtime has it.
 */
function openFile(path: string): SqliteDatabase {
  const require = createRequire(import.meta.url);
  let betterSqlite: unknown;
  try {
    betterSqlite = require("better-sqlite3");
  } catch (error) {
    try {
      const { DatabaseSync } = require("node:sqlite") as {
        DatabaseSync: new (path: string) => SqliteDatabase;
      };
      return new DatabaseSync(path);
    } catch {
      throw new ConfigError(
        'sqliteStorage({ path }) needs the "better-sqlite3" package (npm install better-sqlite3), or Node 22.5+ for node:sqlite',
        { cause: error },
      );
    }
  }
  const Database = betterSqlite as new (path: string) => SqliteDatabase;
  return new Database(path);
}

export type { SqliteDatabase } from "./driver.js";
export { migrateSqlite } from "./migrate.js";
