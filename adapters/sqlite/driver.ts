import { AuthError } from "../../src/errors.js";
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

/** A database that cannot be written (busy past the timeout, disk full, closed) is unavailable. */
function translate(error: unknown): unknown {
  if (isUniqueViolation(error)) return error;
  const code = String((error as { code?: unknown })?.code ?? "");
  const message = String((error as { message?: unknown })?.message ?? "");
  if (/no such (table|column)|has no column named/.test(message)) {
    return new AuthError(
      "unavailable",
      "The database schema is not up to date: run `portcullis migrate`",
      {},
      { cause: error },
    );
  }
  if (
    /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/.test(code) ||
    message.includes("database connection is not open")
  ) {
    return new AuthError("unavailable", "Storage is unavailable", {}, { cause: error });
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
