#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { migratePostgres } from "../postgres/migrate.js";
import { schemaSql } from "../sql/migrations.js";
import { assertIdentifier, tableNames } from "../sql/tables.js";
import type { SqliteDatabase } from "../sqlite/driver.js";
import { migrateSqlite } from "../sqlite/migrate.js";
import { describePostgresConnectionError, loadDriver } from "./connection-error.js";
import { IMPORT_HELP, runImport } from "./import.js";
import { runServe } from "./serve.js";
import { serveVariableRows } from "./serve-env.js";

/**
 * `npx portcullis`: database chores, secrets and the standalone service from the command line.
 *
 *   portcullis serve                                    (the auth service, configured by env)
 *   portcullis migrate --url postgres://user:password@host/db [--schema auth]
 *   portcullis migrate --url ./portcullis.db            (or sqlite:./portcullis.db)
 *   portcullis sql --dialect postgres [--schema auth]   (prints the schema for your own tool)
 *   portcullis secret                                   (a fresh AUTH_SECRET)
 *   portcullis import --url <url> [--dry-run] users.csv (users and hashes from another stack)
 *   portcullis help [command], portcullis <command> --help
 */

const COMMANDS = {
  serve: {
    summary: "Run Portcullis as a standalone auth service, configured from the environment",
    usage: "portcullis serve",
    about:
      'Serves /auth/* on Node\'s http server, plus /health and /liveness (liveness), /readiness\n(storage reachable and migrated, else 503 with the reason) and /metrics (Bearer METRICS_TOKEN;\n404 without one). It does not migrate unless MIGRATE=true: run "portcullis migrate" first.\nSIGTERM or SIGINT stops it gracefully. A bad variable stops it at start, naming the variable.',
    options: [],
    environment: serveVariableRows(),
    examples: [
      'AUTH_SECRET="$(npx portcullis secret)" DATABASE_URL=sqlite:./auth.db portcullis serve',
      'NODE_ENV=production BASE_URL=https://auth.example.com DATABASE_URL="$DATABASE_URL" portcullis serve',
    ],
  },
  migrate: {
    summary: "Apply the migrations a database has not seen yet",
    usage: "portcullis migrate --url <url> [--schema <name>]",
    about:
      "Creates or updates Portcullis's tables. Safe to run again (it applies only what is missing)\nand from several instances at once (they take turns).",
    options: [
      [
        "--url <url>",
        "postgres://user:password@host:5432/db, or a SQLite file: ./portcullis.db or sqlite:./portcullis.db",
      ],
      [
        "--schema <name>",
        "PostgreSQL only: the schema of the tables, created when missing (default: the search_path)",
      ],
    ],
    examples: [
      'portcullis migrate --url "$DATABASE_URL"',
      "portcullis migrate --url ./portcullis.db",
    ],
  },
  sql: {
    summary: "Print the schema as SQL, for your own migration tool",
    usage: "portcullis sql --dialect <postgres|sqlite> [--schema <name>]",
    about: "Prints every migration as one SQL script; nothing is connected to.",
    options: [
      ["--dialect <name>", "postgres or sqlite"],
      ["--schema <name>", "PostgreSQL only: the schema of the tables"],
    ],
    examples: [
      "portcullis sql --dialect postgres --schema auth > 0001_portcullis.sql",
      "portcullis sql --dialect sqlite",
    ],
  },
  import: IMPORT_HELP,
  secret: {
    summary: "Print a fresh random secret for AUTH_SECRET",
    usage: "portcullis secret",
    about:
      "Prints 32 random bytes as base64url (43 characters), e.g. for AUTH_SECRET, which createAuth\nreads when its secret option is left out. Keep it out of version control.",
    options: [],
    examples: ['echo "AUTH_SECRET=$(npx portcullis secret)" >> .env'],
  },
  help: {
    summary: "Show this help, or a command's",
    usage: "portcullis help [command]",
    about: "Shows the commands, or the options of one.",
    options: [],
    examples: ["portcullis help migrate"],
  },
} as const satisfies Record<string, CommandHelp>;

interface CommandHelp {
  summary: string;
  usage: string;
  about: string;
  options: ReadonlyArray<readonly [string, string]>;
  /** The environment variables the command reads, when it reads any. */
  environment?: ReadonlyArray<readonly [string, string]>;
  examples: readonly string[];
}

type Command = keyof typeof COMMANDS;

const isCommand = (name: string | undefined): name is Command =>
  name !== undefined && Object.hasOwn(COMMANDS, name);

const HELP_OPTION = ["-h, --help", "Show help"] as const;

const LINE_WIDTH = 100;

/** Two columns; a long right-hand text wraps at word boundaries under its own column. */
function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  const room = Math.max(LINE_WIDTH - width - 4, 30);
  const indent = " ".repeat(width + 4);
  return rows
    .map(([left, right]) => `  ${left.padEnd(width)}  ${wrap(right, room).join(`\n${indent}`)}`)
    .join("\n");
}

function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

const USAGE = `portcullis: database chores, secrets and a standalone auth service for Portcullis

Usage: portcullis <command> [options]

Commands:
${table(Object.entries(COMMANDS).map(([name, command]) => [name, command.summary]))}

Options:
${table([HELP_OPTION])}

Run "portcullis <command> --help" for the options of a command.
`;

function commandHelp(name: Command): string {
  const command: CommandHelp = COMMANDS[name];
  return `Usage: ${command.usage}

${command.about}

Options:
${table([...command.options, HELP_OPTION])}
${command.environment ? `\nEnvironment:\n${table(command.environment)}\n` : ""}
Examples:
${command.examples.map((example) => `  ${example}`).join("\n")}
`;
}

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs one command; resolves to the exit code (0 done, 1 failed, 2 wrong usage). */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  // `import` reads its own options (a file, --format, --dry-run): see import.ts.
  if (argv[0] === "import") return runImport(argv.slice(1), io, () => commandHelp("import"));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    const name = argv.find((arg) => !arg.startsWith("-"));
    io.err(`${(error as Error).message}\n\n${isCommand(name) ? commandHelp(name) : USAGE}`);
    return 2;
  }
  const { command, topic, help, url, dialect, schema } = parsed;
  if (command === undefined) {
    io.out(USAGE);
    return 0;
  }
  if (!isCommand(command)) {
    io.err(`Unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (command === "help" || help) {
    const about = command === "help" ? topic : command;
    if (about === undefined || about === "help") {
      io.out(USAGE);
      return 0;
    }
    if (!isCommand(about)) {
      io.err(`Unknown command "${about}"\n\n${USAGE}`);
      return 2;
    }
    io.out(commandHelp(about));
    return 0;
  }
  if (command === "serve") {
    if (url !== undefined || dialect !== undefined || schema !== undefined) {
      io.err(`serve takes no options: it reads the environment\n\n${commandHelp("serve")}`);
      return 2;
    }
    return runServe(io);
  }
  try {
    if (schema !== undefined) assertIdentifier(schema);
    if (command === "secret") {
      io.out(`${randomBytes(32).toString("base64url")}\n`);
      return 0;
    }
    if (command === "sql") {
      if (dialect !== "postgres" && dialect !== "sqlite") {
        io.err(`--dialect must be postgres or sqlite\n\n${commandHelp("sql")}`);
        return 2;
      }
      const effectiveSchema = dialect === "postgres" ? schema : undefined;
      io.out(schemaSql(dialect, tableNames(effectiveSchema), effectiveSchema));
      return 0;
    }
    if (!url) {
      io.err(`migrate needs --url\n\n${commandHelp("migrate")}`);
      return 2;
    }
    const isPostgres = /^postgres(ql)?:\/\//i.test(url);
    let applied: number[];
    try {
      applied = isPostgres
        ? await migratePostgresUrl(url, schema)
        : migrateSqliteFile(url.replace(/^sqlite:(\/\/)?/, ""));
    } catch (error) {
      const line = isPostgres ? describePostgresConnectionError(error, url) : null;
      if (line === null) throw error;
      io.err(`portcullis migrate: ${line}\n`);
      return 1;
    }
    io.out(
      applied.length === 0
        ? "Database is up to date.\n"
        : `Applied migrations: ${applied.join(", ")}\n`,
    );
    return 0;
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 2 || (positionals.length === 2 && positionals[0] !== "help")) {
    throw new Error(`Unexpected argument "${positionals[positionals.length - 1]}"`);
  }
  return { command: positionals[0], topic: positionals[1], ...values };
}

const load = createRequire(import.meta.url);

async function migratePostgresUrl(url: string, schema: string | undefined): Promise<number[]> {
  const { Pool } = loadDriver<typeof import("pg")>(load, "pg", "migrating PostgreSQL");
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => {});
  try {
    return await migratePostgres(pool, { schema });
  } finally {
    await pool.end();
  }
}

function migrateSqliteFile(path: string): number[] {
  const Database = loadDriver<new (path: string) => SqliteDatabase & { close(): void }>(
    load,
    "better-sqlite3",
    "migrating SQLite",
  );
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
    // Every command closes what it opened, so the process ends by itself; should a driver
    // leave a handle behind (a socket that will not close), exit anyway rather than hang a
    // deploy's shutdown. Unref'd: it never keeps the process alive by itself.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
