import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { call, makeAuth } from "../helpers.js";

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
});
