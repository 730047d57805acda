import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describePostgresConnectionError, redactUrl } from "../../adapters/cli/connection-error.js";
import { runCli } from "../../adapters/cli/index.js";
import { postgresStorage } from "../../adapters/postgres/index.js";
import { migrations } from "../../adapters/sql/migrations.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { resolveConfig } from "../../src/config/config.js";
import { memoryStorage } from "../../src/index.js";
import { newUser } from "../../src/testing/fixtures.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "./services.js";

const postgresUp = await postgresAvailable();

function capture() {
  const io = {
    stdout: "",
    stderr: "",
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

describe("portcullis CLI", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("migrates a SQLite file, then finds it up to date", async () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
    try {
      const path = join(dir, "app.db");
      const first = capture();
      expect(await runCli(["migrate", "--url", `sqlite:${path}`], first)).toBe(0);
      expect(first.stdout).toBe(
        `Applied migrations: ${migrations.map((m) => m.version).join(", ")}\n`,
      );
      const again = capture();
      expect(await runCli(["migrate", "--url", path], again)).toBe(0);
      expect(again.stdout).toBe("Database is up to date.\n");
      const storage = sqliteStorage({ database: new Database(path), migrate: false });
      await storage.users.create(newUser());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints the SQLite schema, which a database accepts as is", async () => {
    const io = capture();
    expect(await runCli(["sql", "--dialect", "sqlite"], io)).toBe(0);
    const db = new Database(":memory:");
    db.exec(io.stdout);
    const storage = sqliteStorage({ database: db });
    await storage.users.create(newUser());
  });

  it("refuses unknown commands, dialects and unsafe schema names", async () => {
    expect(await runCli(["frobnicate"], capture())).toBe(2);
    expect(await runCli(["sql", "--dialect", "oracle"], capture())).toBe(2);
    const io = capture();
    expect(
      await runCli(["sql", "--dialect", "postgres", "--schema", 'x"; DROP TABLE y; --'], io),
    ).toBe(1);
    expect(io.stdout).toBe("");
    expect(await runCli(["migrate"], capture())).toBe(2);
  });

  it.skipIf(!postgresUp)("prints a PostgreSQL schema that works, and migrates by URL", async () => {
    const db = await freshPostgres();
    try {
      const io = capture();
      expect(await runCli(["sql", "--dialect", "postgres", "--schema", db.schema], io)).toBe(0);
      await db.pool.query(io.stdout);
      const storage = postgresStorage({ pool: db.pool, schema: db.schema });
      await storage.users.create(newUser());
      const migrate = capture();
      expect(await runCli(["migrate", "--url", POSTGRES_URL, "--schema", db.schema], migrate)).toBe(
        0,
      );
      expect(migrate.stdout).toBe("Database is up to date.\n");
    } finally {
      await db.drop();
    }
  });

  it("lists its commands and options on --help, help and <command> --help", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], []]) {
      const io = capture();
      expect(await runCli(argv, io), argv.join(" ")).toBe(0);
      expect(io.stdout).toContain("Usage: portcullis <command> [options]");
      for (const command of ["migrate", "sql", "secret", "help"]) {
        expect(io.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"));
      }
      expect(io.stderr).toBe("");
    }
    for (const argv of [
      ["migrate", "--help"],
      ["help", "migrate"],
      ["migrate", "-h", "--url", "x"],
    ]) {
      const io = capture();
      expect(await runCli(argv, io), argv.join(" ")).toBe(0);
      expect(io.stdout).toContain("Usage: portcullis migrate --url <url> [--schema <name>]");
      expect(io.stdout).toContain("--schema <name>");
    }
    const sql = capture();
    expect(await runCli(["sql", "--help"], sql)).toBe(0);
    expect(sql.stdout).toContain("--dialect <name>");
    const secret = capture();
    expect(await runCli(["secret", "--help"], secret)).toBe(0);
    expect(secret.stdout).toContain("AUTH_SECRET");
  });

  it("answers a wrong command or option with the usage, on stderr, exit 2", async () => {
    const unknown = capture();
    expect(await runCli(["frobnicate"], unknown)).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain("Usage: portcullis <command> [options]");
    const topic = capture();
    expect(await runCli(["help", "frobnicate"], topic)).toBe(2);
    const option = capture();
    expect(await runCli(["migrate", "--urll", "x"], option)).toBe(2);
    expect(option.stderr).toContain("--urll");
    expect(option.stderr).toContain("Usage: portcullis migrate");
    expect(option.stdout).toBe("");
  });

  it("prints a fresh 32-byte secret that createAuth accepts", async () => {
    const first = capture();
    const second = capture();
    expect(await runCli(["secret"], first)).toBe(0);
    expect(await runCli(["secret"], second)).toBe(0);
    const secret = first.stdout.trimEnd();
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(second.stdout).not.toBe(first.stdout);
    expect(first.stderr).toBe("");
    const config = resolveConfig({
      baseURL: "http://localhost:3000",
      secret,
      storage: memoryStorage(),
    });
    expect(config.secret).toBe(secret);
  });

  it("turns the usual connection failures into one line with what to do", () => {
    const line = (error: unknown, url = "postgres://app:hunter2@db.internal:5433/app") =>
      describePostgresConnectionError(error, url);
    const pg = (code: string, message: string) => Object.assign(new Error(message), { code });
    const wrapped = new Error("Storage is unavailable", {
      cause: pg("28P01", 'password authentication failed for user "app"'),
    });
    expect(line(wrapped)).toBe(
      'cannot connect to postgres://app:***@db.internal:5433/app: password authentication failed for user "app": check the user and password (postgres://user:password@host:5432/db)',
    );
    expect(line(pg("ENOTFOUND", "getaddrinfo ENOTFOUND db.internal"))).toBe(
      'cannot connect to postgres://app:***@db.internal:5433/app: host "db.internal" not found: check the host name in the URL',
    );
    expect(line(pg("ECONNREFUSED", "connect ECONNREFUSED"))).toContain(
      "nothing is listening on db.internal:5433",
    );
    expect(line(new Error("Connection terminated due to connection timeout"))).toContain(
      "timed out",
    );
    expect(
      line(
        new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string"),
        "postgres://app@db/app",
      ),
    ).toBe(
      "cannot connect to postgres://app@db/app: the server asks for a password and the URL has none: use postgres://user:password@host:5432/db",
    );
    expect(line(pg("28000", 'no pg_hba.conf entry for host "10.0.0.1"'))).toContain(
      "the server refuses this user or host",
    );
    expect(line(pg("42P07", "relation already exists"))).toBeNull();
    for (const message of [line(wrapped), redactUrl("postgres://u:hunter2@h/db")]) {
      expect(message).not.toContain("hunter2");
    }
  });

  it.skipIf(!postgresUp)(
    "says what is wrong when it cannot connect to PostgreSQL, in one line, exit 1",
    async () => {
      const server = new URL(POSTGRES_URL);
      const at = (auth: string, database: string) => `postgres://${auth}${server.host}/${database}`;
      vi.stubEnv("PGUSER", undefined);
      const cases: Array<[string, string]> = [
        // pg falls back to $USER, read when it loads: "no user given" either way.
        [at("", "test"), "no user given"],
        [at("nobody_like_this@", "test"), 'role "nobody_like_this" does not exist'],
        [
          at("nobody_like_this:secret-pw@", "test"),
          `cannot connect to postgres://nobody_like_this:***@${server.host}/test: role`,
        ],
        [
          at(server.username ? `${server.username}@` : "", "no_such_database_like_this"),
          'database "no_such_database_like_this" does not exist: create it (createdb no_such_database_like_this)',
        ],
        [`postgres://postgres@127.0.0.1:1/test`, "nothing is listening on 127.0.0.1:1"],
      ];
      for (const [url, expected] of cases) {
        const io = capture();
        expect(await runCli(["migrate", "--url", url], io), url).toBe(1);
        expect(io.stderr, url).toContain(expected);
        expect(io.stderr, url).toMatch(/^portcullis migrate: cannot connect to [^\n]+\n$/);
        expect(io.stderr).not.toContain("secret-pw");
        expect(io.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
        expect(io.stdout).toBe("");
      }
    },
  );
});
