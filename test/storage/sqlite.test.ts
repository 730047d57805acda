import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrations } from "../../adapters/sql/migrations.js";
import { migrateSqlite, type SqliteDatabase, sqliteStorage } from "../../adapters/sqlite/index.js";
import { AuthError } from "../../src/errors.js";
import { testStorage } from "../../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "portcullis-sqlite-"));
const path = join(dir, "auth.db");
const storage = sqliteStorage({ path });

afterAll(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SQLite storage (file, WAL)", () => {
  testStorage(() => storage);
});

describe("SQLite storage over a connection the caller opened", () => {
  const shared = sqliteStorage({ database: new Database(":memory:") });
  testStorage(() => shared, { skip: ["passkeys", "outbox", "refreshTokens", "revocations"] });
});

// node:sqlite exists from Node 22.5; the same driver runs over its DatabaseSync.
const nodeSqliteModule = "node:sqlite";
const nodeSqlite = (await import(/* @vite-ignore */ nodeSqliteModule).catch(() => null)) as {
  DatabaseSync: new (path: string) => SqliteDatabase;
} | null;

describe.skipIf(!nodeSqlite)("SQLite storage over node:sqlite", () => {
  const shared = nodeSqlite
    ? sqliteStorage({ database: new nodeSqlite.DatabaseSync(":memory:") })
    : null;
  testStorage(() => shared as NonNullable<typeof shared>);
});

describe("SQLite setup", () => {
  it("creates the file in WAL mode with every migration applied, once", () => {
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const versions = db.prepare("SELECT version FROM portcullis_migrations ORDER BY version").all();
    expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
    // A second start finds nothing to do.
    expect(migrateSqlite(db)).toEqual([]);
    db.close();
  });

  it("answers unavailable, not a crash, once its connection is gone", async () => {
    const db = new Database(":memory:");
    const closing = sqliteStorage({ database: db });
    db.close();
    await expect(closing.sessions.get("any")).rejects.toSatisfy(
      (error) => error instanceof AuthError && error.code === "unavailable",
    );
  });
});
