import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import type { SqlDriver, SqlValue } from "../sql/driver.js";

/**
 * What we need of a SQLite database: better-sqlite3's `Database` and node:sqlite's `DatabaseSync`
 * both have this shape, so either can be passed.
 */
export interface SqliteDatabase {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
  exec(sql: string): unknown;
}

/** SQLite binds no booleans: they are stored as 0 and 1. */
const bind = (params: SqlValue[]) =>
  params.map((value) => (typeof value === "boolean" ? Number(value) : value));

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = String((error as { message?: unknown })?.message ?? "");
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    message.includes("UNIQUE constraint failed")
  );
}

/**
 * SQLite's primary result codes that are the database's state, not the statement's fault:
 * BUSY and LOCKED (another process held the write lock past `busy_timeout`: retrying later
 * works, so 503 with `Retry-After` is the honest answer), NOMEM, READONLY, IOERR, CORRUPT,
 * FULL, CANTOPEN, PROTOCOL, NOTADB. better-sqlite3 names them (`SQLITE_BUSY_SNAPSHOT`);
 * node:sqlite numbers them (`errcode`, the primary code in its low byte).
 */
const UNAVAILABLE_NAMES =
  /^SQLITE_(BUSY|LOCKED|NOMEM|READONLY|IOERR|CORRUPT|FULL|CANTOPEN|PROTOCOL|NOTADB)/;
const UNAVAILABLE_NUMBERS = new Set([5, 6, 7, 8, 10, 11, 13, 14, 15, 26]);

/** What a failed statement means for the caller: an outage or an old schema is `unavailable`. */
function translate(error: unknown): unknown {
  if (isUniqueViolation(error)) return error;
  const code = String((error as { code?: unknown })?.code ?? "");
  const errcode = (error as { errcode?: unknown })?.errcode;
  const message = String((error as { message?: unknown })?.message ?? "");
  if (/no such (table|column)|has no column named/.test(message)) {
    return storageUnavailable(
      error,
      "The database schema is not up to date: run `portcullis migrate`",
    );
  }
  if (
    UNAVAILABLE_NAMES.test(code) ||
    (typeof errcode === "number" && UNAVAILABLE_NUMBERS.has(errcode & 0xff)) ||
    message.includes("database connection is not open")
  ) {
    return storageUnavailable(error);
  }
  return error;
}

/**
 * The driver over a synchronous SQLite database. Every call completes before it returns, so no
 * other statement can run in the middle of a transaction: one process, one connection, no locks.
 */
export function sqliteDriver(db: SqliteDatabase): SqlDriver {
  const statements = new Map<string, ReturnType<SqliteDatabase["prepare"]>>();
  function prepared(sql: string) {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }
  function run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(translate(error));
    }
  }

  return {
    dialect: "sqlite",
    execute: (sql, params = []) => run(() => Number(prepared(sql).run(...bind(params)).changes)),
    get: <Row>(sql: string, params: SqlValue[] = []) =>
      run(() => (prepared(sql).get(...bind(params)) as Row | undefined) ?? null),
    all: <Row>(sql: string, params: SqlValue[] = []) =>
      run(() => prepared(sql).all(...bind(params)) as Row[]),
    transaction: (list) =>
      run(() => {
        db.exec("BEGIN IMMEDIATE");
        try {
          for (const { sql, params = [] } of list) prepared(sql).run(...bind(params));
          db.exec("COMMIT");
        } catch (error) {
          db.exec("ROLLBACK");
          throw error;
        }
      }),
    isUniqueViolation,
  };
}
