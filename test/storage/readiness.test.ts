import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { call, makeAuth } from "../helpers.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "./services.js";

const postgres = await postgresAvailable();

/** A logger that keeps its records, pino's way. */
function recorder() {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => {
    const [first, second] = args;
    lines.push(typeof first === "string" ? first : String(second));
  };
  return { lines, logger: { debug: keep, info: keep, warn: keep, error: keep } };
}

describe("readiness checks the schema, not only the connection", () => {
  it("an unmigrated database is not ready, and says to run portcullis migrate", async () => {
    const { lines, logger } = recorder();
    const storage = sqliteStorage({ database: new Database(":memory:"), migrate: false });
    const auth = makeAuth({ storage, logger });
    const ready = await call(auth, "GET", "/auth/ready");
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({
      status: "unavailable",
      reason: expect.stringMatching(/schema.*run `portcullis migrate`/),
    });
    // A request against it is an honest 503 too, and the log says what to do.
    const signUp = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: "correct horse battery staple" },
    });
    expect(signUp.status).toBe(503);
    expect(signUp.json?.error.code).toBe("unavailable");
    expect(lines.some((line) => line.includes("portcullis migrate"))).toBe(true);
  });

  it("a migrated database is ready", async () => {
    const storage = sqliteStorage({ database: new Database(":memory:") });
    const auth = makeAuth({ storage });
    expect((await call(auth, "GET", "/auth/ready")).json).toEqual({ status: "ok" });
  });

  it("a database that answers reads but refuses writes is not ready (SQLite, read-only file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-readonly-"));
    try {
      const path = join(dir, "auth.db");
      const writable = new Database(path);
      sqliteStorage({ database: writable });
      writable.close();
      const readOnly = new Database(path, { readonly: true });
      const auth = makeAuth({ storage: sqliteStorage({ database: readOnly, migrate: false }) });
      const ready = await call(auth, "GET", "/auth/ready");
      expect(ready.status).toBe(503);
      expect(ready.json?.reason).toMatch(/answers reads but refused a write/);
      readOnly.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!postgres)(
    "a database that answers reads but refuses writes is not ready (PostgreSQL, read-only sessions)",
    async () => {
      const db = await freshPostgres();
      await migrate(db.pool, { schema: db.schema });
      // What a pool sees once a failover left it on a standby: every transaction read-only.
      const readOnly = new pg.Pool({
        connectionString: POSTGRES_URL,
        options: "-c default_transaction_read_only=on",
      });
      try {
        const refused = makeAuth({
          storage: postgresStorage({ pool: readOnly, schema: db.schema }),
        });
        const ready = await call(refused, "GET", "/auth/ready");
        expect(ready.status).toBe(503);
        expect(ready.json?.reason).toMatch(/answers reads but refused a write/);
        const fine = makeAuth({ storage: postgresStorage({ pool: db.pool, schema: db.schema }) });
        expect((await call(fine, "GET", "/auth/ready")).json).toEqual({ status: "ok" });
      } finally {
        await readOnly.end();
        await db.drop();
      }
    },
  );
});
