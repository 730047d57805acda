import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { schedulePurge } from "../../src/index.js";
import { makeAuth, manualClock } from "../helpers.js";

describe("purging expired records", () => {
  afterEach(() => vi.useRealTimers());

  it("deletes expired sessions and counters, and keeps live ones", async () => {
    const clock = manualClock();
    const storage = sqliteStorage({ database: new Database(":memory:") });
    const auth = makeAuth({ storage, clock, session: { maxAge: 3600, updateAge: 60 } });
    const early = await auth.api.register(
      { email: "early@example.com", password: "correct horse battery staple" },
      { ip: "198.51.100.1" },
    );
    clock.advance(3000);
    const late = await auth.api.register({
      email: "late@example.com",
      password: "correct horse battery staple",
    });
    clock.advance(1000); // the first session idled out; the second has 2600 s left
    const result = await auth.api.purgeExpired();
    expect(result.sessions).toBe(1);
    expect(result.rateLimits).toBe(1); // the per-IP register window opened by the first call
    expect(await storage.sessions.get(early.session?.id ?? "")).toBeNull();
    expect(await auth.api.getSession(late.token ?? "")).not.toBeNull();
    expect(await auth.api.purgeExpired()).toEqual({
      sessions: 0,
      verifications: 0,
      refreshTokens: 0,
      revocations: 0,
      rateLimits: 0,
      audit: 0,
    });
  });

  it("schedulePurge runs on its interval, survives a failing run, and stops", async () => {
    vi.useFakeTimers();
    let runs = 0;
    const purge = vi.fn(async () => {
      runs++;
      if (runs === 1) throw new Error("database down");
    });
    const stop = schedulePurge(purge, 60);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(purge).toHaveBeenCalledTimes(2);
    stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(purge).toHaveBeenCalledTimes(2);
    expect(() => schedulePurge(purge, 0)).toThrow();
  });
});
