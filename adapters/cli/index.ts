#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { migratePostgres } from "../postgres/migrate.js";
import { schemaSql } from "../sql/migrations.js";
import { assertIdentifier, tableNames } from "../sql/tables.js";
import type { SqliteDatabase } from "../sqlite/driver.js";
import { migrateSqlite } from "../sqlite/migrate.js";

/**
 * `npx portcullis`: database chores from the command line.
 *
 *   portcullis migrate --url postgres://user@host/db [--schema auth]
 *   portcullis migrate --url ./portcullis.db            (or sqlite:./portcullis.db)
 *   portcullis sql --dialect postgres [--schema auth]   (prints the schema for your own tool)
 */
const USAGE = `Usage:
  portcullis migrate --url <postgres://...|sqlite:path|path.db> [--schema <name>]
  portcullis sql --dialect <postgres|sqlite> [--schema <name>]
`;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs one command; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, url, dialect, schema } = parsed;
  try {
    if (schema !== undefined) assertIdentifier(schema);
    if (command === "sql") {
      if (dialect !== "postgres" && dialect !== "sqlite") {
        io.err(`--dialect must be postgres or sqlite\n\n${USAGE}`);
        return 2;
      }
      const effectiveSchema = dialect === "postgres" ? schema : undefined;
      io.out(schemaSql(dialect, tableNames(effectiveSchema), effectiveSchema));
      return 0;
    }
    if (command === "migrate") {
      if (!url) {
        io.err(`migrate needs --url\n\n${USAGE}`);
        return 2;
      }
      const applied = /^postgres(ql)?:\/\//.test(url)
        ? await migratePostgresUrl(url, schema)
        : migrateSqliteFile(url.replace(/^sqlite:(\/\/)?/, ""));
      io.out(
        applied.length === 0
          ? "Database is up to date.\n"
          : `Applied migrations: ${applied.join(", ")}\n`,
      );
      return 0;
    }
    io.out(USAGE);
    return command === "help" || command === undefined ? 0 : 2;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    io.err(
      `portcullis ${command} failed: ${(error as Error).message}${cause ? ` (${String((cause as Error).message ?? cause)})` : ""}\n`,
    );
    return 1;
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      dialect: { type: "string" },
      schema: { type: "string" },
    },
  });
  return { command: positionals[0], ...values };
}

const load = createRequire(import.meta.url);

async function migratePostgresUrl(url: string, schema: string | undefined): Promise<number[]> {
  const { Pool } = load("pg") as typeof import("pg");
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on("error", () => {});
  try {
    return await migratePostgres(pool, { schema });
  } finally {
    await pool.end();
  }
}

function migrateSqliteFile(path: string): number[] {
  const Database = load("better-sqlite3") as new (
    path: string,
  ) => SqliteDatabase & { close(): void };
  const db = new Database(path);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA busy_timeout = 5000");
    return migrateSqlite(db);
  } finally {
    db.close();
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
