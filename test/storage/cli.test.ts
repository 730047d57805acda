import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runCli } from "../../adapters/cli/index.js";
import { postgresStorage } from "../../adapters/postgres/index.js";
import { migrations } from "../../adapters/sql/migrations.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
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
});
