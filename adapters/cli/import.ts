import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import type { Pool } from "pg";
import { ConfigError } from "../../src/config-error.js";
import { createAuth, type ImportReport, type Storage } from "../../src/index.js";
import type { Logger } from "../../src/util/logger.js";
import { postgresStorage } from "../postgres/index.js";
import { assertIdentifier } from "../sql/tables.js";
import { sqliteStorage } from "../sqlite/index.js";
import { describePostgresConnectionError, loadDriver } from "./connection-error.js";
import {
  CsvError,
  type ImportFormat,
  parseCsv,
  parseJsonLines,
  type SourceRow,
} from "./import-rows.js";

/*
 * `portcullis import`: users and their password hashes from another stack, into a migrated
 * database, through `auth.api.importUsers` (which validates each row, writes each whole or not
 * at all, and skips emails that already have an account, so a re-run is safe).
 */

export const IMPORT_HELP = {
  summary: "Import users and their password hashes from another stack (CSV or JSON lines)",
  usage:
    "portcullis import --url <url> [--schema <name>] [--format csv|jsonl] [--dry-run] <file | ->",
  about:
    'Creates an account per row, keeping its password hash as the old stack wrote it (bcrypt,\nDjango, passlib, werkzeug, Argon2, scrypt): the user signs in with the same password, and\nthat sign-in rewrites the hash with Portcullis\'s hasher. Columns (CSV header) or keys (JSON\nlines): email, passwordHash (empty: no password), emailVerified (true/false, t/f, 1/0),\nname, createdAt (ISO 8601). An email that already has an account is skipped, so running it\nagain imports only what is missing. Exits 1 if any row failed; each failure names its line.\nRun "portcullis migrate" first.',
  options: [
    [
      "--url <url>",
      "postgres://user:password@host:5432/db, or a SQLite file: ./portcullis.db or sqlite:./portcullis.db",
    ],
    ["--schema <name>", "PostgreSQL only: the schema of the tables (default: the search_path)"],
    ["--format <csv|jsonl>", "The file's format (default: from its extension, .csv or .jsonl)"],
    ["--dry-run", "Check every row and report, writing nothing"],
    [
      "--max-argon2-memory <KiB>",
      "The password.maxArgon2MemoryKiB your app uses, if not the default 262144: hashes above it are refused",
    ],
  ],
  examples: [
    "portcullis import --url ./portcullis.db --dry-run users.csv",
    'portcullis import --url "$DATABASE_URL" users.jsonl',
    'psql "$OLD_DATABASE_URL" -c "\\copy (SELECT ...) TO STDOUT WITH CSV HEADER" | portcullis import --url "$DATABASE_URL" --format csv -',
  ],
} satisfies {
  summary: string;
  usage: string;
  about: string;
  options: ReadonlyArray<readonly [string, string]>;
  examples: readonly string[];
};

interface ImportIO {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}

/** Runs `portcullis import <argv>`; resolves to the exit code (0 done, 1 a row or the import failed, 2 wrong usage). */
export async function runImport(argv: string[], io: ImportIO, help: () => string): Promise<number> {
  let args: ImportArgs;
  try {
    args = parseImportArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${help()}`);
    return 2;
  }
  if (args.help) {
    io.out(help());
    return 0;
  }
  let rows: SourceRow[];
  try {
    const text = args.file === "-" ? await readStdin() : await readFile(args.file, "utf8");
    rows = args.format === "csv" ? parseCsv(text) : parseJsonLines(text);
  } catch (error) {
    const message =
      error instanceof CsvError
        ? error.message
        : `cannot read ${args.file}: ${(error as Error).message}`;
    io.err(`portcullis import: ${message}\n`);
    return 1;
  }

  let database: OpenedDatabase;
  try {
    database = openDatabase(args.url, args.schema);
  } catch (error) {
    io.err(`portcullis import: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const report = await importRows(database.storage, rows, args);
    printReport(io, rows, report);
    return report.failed > 0 ? 1 : 0;
  } catch (error) {
    io.err(`portcullis import: ${describeFailure(error, args.url)}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

interface ImportArgs {
  help: boolean;
  url: string;
  schema: string | undefined;
  format: ImportFormat;
  file: string;
  dryRun: boolean;
  maxArgon2MemoryKiB: number | undefined;
}

function parseImportArgs(argv: string[]): ImportArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      schema: { type: "string" },
      format: { type: "string" },
      "dry-run": { type: "boolean" },
      "max-argon2-memory": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const help = values.help === true;
  if (help) {
    return {
      help,
      url: "",
      schema: undefined,
      format: "csv",
      file: "",
      dryRun: false,
      maxArgon2MemoryKiB: undefined,
    };
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "import needs a file to read (or - for stdin)"
        : `import reads one file, got ${positionals.length}`,
    );
  }
  const file = positionals[0] as string;
  if (!values.url) throw new UsageError("import needs --url");
  if (values.schema !== undefined) assertIdentifier(values.schema);
  const format = values.format ?? formatOf(file);
  if (format !== "csv" && format !== "jsonl") {
    throw new UsageError(
      values.format === undefined
        ? `cannot tell the format of ${file === "-" ? "stdin" : file}: pass --format csv or --format jsonl`
        : "--format must be csv or jsonl",
    );
  }
  const memory = values["max-argon2-memory"];
  const maxArgon2MemoryKiB = memory === undefined ? undefined : Number(memory);
  if (maxArgon2MemoryKiB !== undefined && !Number.isSafeInteger(maxArgon2MemoryKiB)) {
    throw new UsageError("--max-argon2-memory must be a whole number of KiB");
  }
  return {
    help,
    url: values.url,
    schema: values.schema,
    format,
    file,
    dryRun: values["dry-run"] === true,
    maxArgon2MemoryKiB,
  };
}

function formatOf(file: string): string | undefined {
  const extension = extname(file).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".jsonl" || extension === ".ndjson") return "jsonl";
  return undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Rows that could not be read from the file are failures too, reported with the rest. */
async function importRows(storage: Storage, rows: SourceRow[], args: ImportArgs) {
  const auth = createAuth({
    // Nothing is served nor signed: createAuth wants an origin and a secret all the same.
    baseURL: "http://localhost",
    secret: randomBytes(32).toString("base64url"),
    storage,
    logger: quietLogger,
    mailer: {
      send() {
        throw new Error("portcullis import sends no mail");
      },
    },
    ...(args.maxArgon2MemoryKiB === undefined
      ? {}
      : { password: { maxArgon2MemoryKiB: args.maxArgon2MemoryKiB } }),
  });
  const readable = rows.filter((row): row is { line: number; value: unknown } => "value" in row);
  return auth.api.importUsers(
    readable.map((row) => row.value),
    { dryRun: args.dryRun },
  );
}

/** The import reports through its result; what the library logs on the way is not news here. */
const quietLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

function printReport(io: ImportIO, rows: SourceRow[], report: ImportReport): void {
  const lines = rows.filter((row) => "value" in row).map((row) => row.line);
  let failed = report.failed;
  const unreadable = rows.filter((row): row is { line: number; error: string } => "error" in row);
  failed += unreadable.length;
  const messages: Array<{ line: number; text: string; error: boolean }> = unreadable.map((row) => ({
    line: row.line,
    text: `line ${row.line}: ${row.error}`,
    error: true,
  }));
  for (const result of report.rows) {
    const line = lines[result.row - 1] as number;
    const who = result.email === undefined ? "" : ` (${result.email})`;
    if (result.status === "exists") {
      messages.push({ line, text: `line ${line}${who}: exists, skipped`, error: false });
    }
    const earlier =
      result.duplicateOf === undefined ? "" : ` (line ${lines[result.duplicateOf - 1]})`;
    for (const issue of result.issues ?? []) {
      const field = issue.field === "" ? "" : `${issue.field}: `;
      const where = issue.field === "email" ? earlier : "";
      messages.push({
        line,
        text: `line ${line}${who}: ${field}${issue.message}${where}`,
        error: true,
      });
    }
  }
  messages.sort((a, b) => a.line - b.line);
  for (const message of messages) (message.error ? io.err : io.out)(`${message.text}\n`);
  const imported = report.dryRun
    ? `Dry run, nothing written: ${report.imported} would be imported`
    : `Imported ${report.imported}`;
  io.out(`${imported}, ${report.exists} skipped (already exist), ${failed} failed.\n`);
}

function describeFailure(error: unknown, url: string): string {
  const postgres = /^postgres(ql)?:\/\//i.test(url);
  const connection = postgres ? describePostgresConnectionError(error, url) : null;
  if (connection !== null) return connection;
  const text = `${(error as Error).message} ${String((error as { cause?: Error }).cause?.message ?? "")}`;
  if (/no such table|does not exist/i.test(text)) {
    return `the database has no Portcullis tables: run "portcullis migrate --url ..." first (${text.trim()})`;
  }
  if (error instanceof ConfigError) return error.message;
  return text.trim();
}

interface OpenedDatabase {
  storage: Storage;
  close(): Promise<void>;
}

const load = createRequire(import.meta.url);

function openDatabase(url: string, schema: string | undefined): OpenedDatabase {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { Pool: PgPool } = loadDriver<typeof import("pg")>(
      load,
      "pg",
      "importing into PostgreSQL",
    );
    const pool: Pool = new PgPool({
      connectionString: url,
      max: 2,
      connectionTimeoutMillis: 10_000,
    });
    pool.on("error", () => {});
    return { storage: postgresStorage({ pool, schema }), close: () => pool.end() };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, "");
  if (!existsSync(path)) {
    throw new Error(`no SQLite database at ${path}: run "portcullis migrate --url ${url}" first`);
  }
  const storage = sqliteStorage({ path, migrate: false });
  return {
    storage,
    async close() {
      storage.close();
    },
  };
}
