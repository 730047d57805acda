/**
 * SQLite has one writer at a time. A second process holding the write lock past `busy_timeout`
 * is an outage of the write path, not a bug: 503 `unavailable` with `Retry-After` (retrying
 * later works), never 500; reads go on (WAL), and writes resume once the lock is released.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { recorder } from "./outage-probe.js";

describe("SQLite busy past its timeout", () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-sqlite-busy-"));
  const file = join(dir, "auth.db");
  const ours = new Database(file);
  const theirs = new Database(file);
  afterAll(() => {
    ours.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers writes 503 with Retry-After while another connection holds the lock", async () => {
    const log = recorder();
    const auth = makeAuth({ storage: sqliteStorage({ database: ours }), logger: log.logger });
    // Short, so the test does not wait the adapter's 5 s (better-sqlite3 waits synchronously).
    ours.exec("PRAGMA busy_timeout = 50");
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const cookie = sessionCookieFrom(registered.response);

    theirs.exec("BEGIN IMMEDIATE");
    try {
      const blocked = await call(auth, "POST", "/auth/register", {
        body: { email: "grace@example.com", password: PASSWORD },
      });
      expect(blocked.status).toBe(503);
      expect(blocked.headers.get("retry-after")).toBe("5");
      expect(blocked.json?.error.code).toBe("unavailable");
      expect(log.causes()).toContain("SQLITE_BUSY");
      // Reads do not need the write lock.
      expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
    } finally {
      theirs.exec("ROLLBACK");
    }
    const after = await call(auth, "POST", "/auth/register", {
      body: { email: "grace@example.com", password: PASSWORD },
    });
    expect(after.status).toBe(201);
    expect(log.records.filter((record) => record.message === "internal error")).toEqual([]);
  });
});
