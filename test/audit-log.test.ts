import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { sqliteStorage } from "../adapters/sqlite/index.js";
import { AuthError, type AuthEvent, memoryStorage, type Storage } from "../src/index.js";
import { call, makeAuth, manualClock, PASSWORD, sessionCookieFrom } from "./helpers.js";

/*
 * The audit log (DESIGN §6): every event is appended to the storage's `audit` port before the
 * request answers; `auth.api.admin.listAuditEvents` reads it back newest first, a page at a time;
 * `purgeExpired` drops what is older than `audit.retentionDays`.
 */

const FROM = { clientIP: "203.0.113.9", headers: { "user-agent": "Tester/1.0" } };
const DAY = 86_400;

const stores: [string, () => Storage][] = [
  ["memory", () => memoryStorage()],
  ["SQLite", () => sqliteStorage({ database: new Database(":memory:") })],
];

const isInvalidRequest = (error: unknown) =>
  error instanceof AuthError && error.code === "invalid_request";

describe.each(stores)("the audit log over %s storage", (_name, makeStorage) => {
  function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
    const clock = manualClock();
    const auth = makeAuth({ storage: makeStorage(), clock, ...overrides });
    return { auth, clock };
  }

  /** Signs ada up, fails a sign-in, signs in and out: five events, a second apart. */
  async function history(
    auth: ReturnType<typeof setup>["auth"],
    clock: { advance(s: number): void },
  ) {
    const signUp = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
      ...FROM,
    });
    clock.advance(1);
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "not the password!" },
      ...FROM,
    });
    clock.advance(1);
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
      ...FROM,
    });
    clock.advance(1);
    await call(auth, "POST", "/auth/logout", {
      cookie: sessionCookieFrom(login.response),
      ...FROM,
    });
    return signUp.json?.user.id as string;
  }

  it("records sign-up, a failed sign-in and sign-out with IP and user agent, newest first", async () => {
    const { auth, clock } = setup();
    const userId = await history(auth, clock);
    clock.advance(1);
    const failedGrant = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "password", username: "ada@example.com", password: "wrong!" },
      ...FROM,
    });
    expect(failedGrant.status).toBe(400);
    // Written before the responses: nothing to wait for.
    const { events, nextCursor } = await auth.api.admin.listAuditEvents();
    expect(nextCursor).toBeNull();
    expect(events.map((event) => event.type)).toEqual([
      "user.sign_in_failed",
      "user.signed_out",
      "user.signed_in",
      "user.sign_in_failed",
      "user.signed_in",
      "user.registered",
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ userId, ip: "203.0.113.9", userAgent: "Tester/1.0" });
    }
    const start = Date.UTC(2026, 0, 1);
    expect(events.at(-1)).toEqual({
      id: expect.any(String),
      type: "user.registered",
      at: new Date(start).toISOString(),
      userId,
      ip: "203.0.113.9",
      userAgent: "Tester/1.0",
      method: "password",
      email: "ada@example.com",
    });
    expect(events[0]).toMatchObject({ method: "token", reason: "wrong_password" });
    expect(events[3]).toMatchObject({
      userId,
      at: new Date(start + 1000).toISOString(),
      method: "password",
      reason: "wrong_password",
    });
    expect(events[1]).toMatchObject({ sessionId: expect.any(String) });
    // Never a secret: no password, token or hash anywhere in the log.
    const text = JSON.stringify(events);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("not the password!");
  });

  it("records the IP and user agent of a failed /auth/login", async () => {
    const { auth, clock } = setup();
    await history(auth, clock);
    const { events } = await auth.api.admin.listAuditEvents({ type: "user.sign_in_failed" });
    expect(events[0]).toMatchObject({ ip: "203.0.113.9", userAgent: "Tester/1.0" });
  });

  it("hands back the events exactly as listeners got them", async () => {
    const heard: AuthEvent[] = [];
    const { auth, clock } = setup({ on: { "*": (event) => void heard.push(event) } });
    await history(auth, clock);
    await call(auth, "POST", "/auth/login", {
      body: { email: "nobody@example.com", password: PASSWORD },
    });
    const { events } = await auth.api.admin.listAuditEvents();
    expect(events).toEqual([...heard].reverse());
  });

  it("filters by user, type and time, and pages with a cursor", async () => {
    const { auth, clock } = setup();
    const ada = await history(auth, clock);
    clock.advance(60);
    const bob = (
      await call(auth, "POST", "/auth/register", {
        body: { email: "bob@example.com", password: PASSWORD },
      })
    ).json?.user.id as string;
    const list = auth.api.admin.listAuditEvents;

    const types = async (input: Parameters<typeof list>[0]) =>
      (await list(input)).events.map((event) => event.type);
    expect(await types({ userId: bob })).toEqual(["user.signed_in", "user.registered"]);
    expect(await types({ userId: ada, type: "user.signed_in" })).toEqual([
      "user.signed_in",
      "user.signed_in",
    ]);
    expect(await types({ type: "user.registered" })).toEqual([
      "user.registered",
      "user.registered",
    ]);
    const start = Date.UTC(2026, 0, 1);
    // since is inclusive, until exclusive; Dates and ISO strings alike.
    expect(
      await types({ userId: ada, since: new Date(start + 1000), until: new Date(start + 3000) }),
    ).toEqual(["user.signed_in", "user.sign_in_failed"]);
    expect(await types({ since: new Date(start + 60_000).toISOString() })).toEqual([
      "user.signed_in",
      "user.registered",
    ]);
    expect(await types({ userId: "nobody" })).toEqual([]);

    // Seven events, three at a time (the HTTP query's strings work too).
    const first = await list({ limit: 3 });
    expect(first.events).toHaveLength(3);
    const second = await list({ limit: "3", cursor: first.nextCursor as string });
    const third = await list({ limit: 3, cursor: second.nextCursor as string });
    expect(third.nextCursor).toBeNull();
    const paged = [...first.events, ...second.events, ...third.events];
    expect(paged).toEqual((await list({ limit: 200 })).events);
    expect(new Set(paged.map((event) => event.id)).size).toBe(7);
  });

  it("refuses bad input with invalid_request", async () => {
    const { auth } = setup();
    const list = auth.api.admin.listAuditEvents as (input: unknown) => Promise<unknown>;
    for (const input of [
      { limit: 0 },
      { limit: 201 },
      { limit: 1.5 },
      { type: "user.unknown" },
      { since: "yesterday" },
      { until: new Date(Number.NaN) },
      { cursor: "not-a-cursor" },
      { userid: "typo" },
    ]) {
      await expect(list(input), JSON.stringify(input)).rejects.toSatisfy(isInvalidRequest);
    }
    expect((await list({ limit: 200 })) as object).toEqual({ events: [], nextCursor: null });
  });

  it("keeps a deleted user's events, its deletion included", async () => {
    const { auth, clock } = setup();
    const userId = await history(auth, clock);
    await auth.api.deleteAccount(userId);
    const { events } = await auth.api.admin.listAuditEvents({ userId });
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(events.map((event) => event.type)).toContain("user.registered");
  });

  it("purges records past audit.retentionDays, and keeps them forever with 0", async () => {
    const { auth, clock } = setup({ audit: { retentionDays: 30 } });
    await history(auth, clock);
    clock.advance(20 * DAY);
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "wrong again, later" },
    });
    clock.advance(11 * DAY);
    // The first five are 31 days old now; the later failure 11 days.
    expect((await auth.api.purgeExpired()).audit).toBe(5);
    const { events } = await auth.api.admin.listAuditEvents();
    expect(events.map((event) => event.type)).toEqual(["user.sign_in_failed"]);
    expect((await auth.api.purgeExpired()).audit).toBe(0);

    const forever = setup({ audit: { retentionDays: 0 } });
    await history(forever.auth, forever.clock);
    forever.clock.advance(100 * 365 * DAY);
    expect((await forever.auth.api.purgeExpired()).audit).toBe(0);
    expect((await forever.auth.api.admin.listAuditEvents()).events).toHaveLength(5);
  });
});

describe("the audit subscriber", () => {
  it("logs a failing append and never fails the request", async () => {
    const storage = memoryStorage();
    vi.spyOn(storage.audit, "append").mockRejectedValue(new Error("audit table gone"));
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const auth = makeAuth({ storage, logger });
    const signUp = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(signUp.status).toBe(201);
    expect(storage.audit.append).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.objectContaining({ message: "audit table gone" }) }),
      "listener of user.registered failed",
    );
  });

  it("refuses a storage without the audit port, by name", () => {
    const { audit: _audit, ...withoutAudit } = memoryStorage();
    expect(() => makeAuth({ storage: withoutAudit as Storage })).toThrow(
      /storage is missing the port: audit: combine adapters/,
    );
  });

  it("takes audit.retentionDays from 0 to 36500 days only", () => {
    expect(makeAuth().resolved.audit).toEqual({ retentionDays: 365 });
    for (const retentionDays of [-1, 1.5, 36_501]) {
      expect(() => makeAuth({ audit: { retentionDays } }), String(retentionDays)).toThrow(
        /audit\.retentionDays/,
      );
    }
  });
});
