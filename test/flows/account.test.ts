import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { resolveConfig } from "../../src/config/config.js";
import { buildContext } from "../../src/context/build-context.js";
import { deleteAccount, METADATA_MAX_BYTES } from "../../src/flows/account.js";
import { isAuthError, memoryStorage, type Storage } from "../../src/index.js";
import { call, makeAuth, manualClock, registered } from "../helpers.js";
import { freshPostgres, postgresAvailable } from "../storage/services.js";

/** `auth.api.updateUser` and `auth.api.deleteAccount`: server code's side of the account. */

const invalid = (error: unknown) => isAuthError(error) && error.code === "invalid_request";
const notFound = (error: unknown) => isAuthError(error) && error.code === "not_found";

function roundTrip(name: string, makeStorage: () => Storage) {
  it(`${name}: metadata round trip through the API, the session and the guard`, async () => {
    const clock = manualClock(Date.now());
    const auth = makeAuth({ storage: makeStorage(), clock });
    const { cookie, user } = await registered(auth, `${crypto.randomUUID()}@example.com`);
    expect(user.metadata).toEqual({});
    const metadata = {
      plan: "pro",
      stripeCustomerId: "cus_123",
      limits: { seats: 5, ratio: 0.5, beta: true, note: null },
      tags: ["é ✓", 1, false, null, { nested: [] }],
    };
    clock.advance(5);
    const updated = await auth.api.updateUser(user.id, { metadata });
    expect(updated.metadata).toEqual(metadata);
    expect(updated.name).toBeNull();
    expect(updated.updatedAt.getTime()).toBe(clock.now());
    expect((await auth.storage.users.findById(user.id))?.metadata).toEqual(metadata);
    expect((await auth.authenticate({ cookie }))?.user.metadata).toEqual(metadata);
    const session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.json?.user.metadata).toEqual(metadata);
    // The name alone keeps the metadata; metadata replaces the whole object.
    const renamed = await auth.api.updateUser(user.id, { name: "Ada" });
    expect(renamed).toMatchObject({ name: "Ada", metadata });
    const replaced = await auth.api.updateUser(user.id, { metadata: { plan: "free" } });
    expect(replaced).toMatchObject({ name: "Ada", metadata: { plan: "free" } });
    expect((await auth.api.updateUser(user.id, { metadata: {}, name: null })).metadata).toEqual({});
  });
}

describe("auth.api.updateUser", () => {
  roundTrip("memory", () => memoryStorage());
  roundTrip("SQLite", () => sqliteStorage({ database: new Database(":memory:") }));

  it("refuses what is not a plain JSON object, with invalid_request and nothing written", async () => {
    const auth = makeAuth();
    const { user } = await registered(auth);
    await auth.api.updateUser(user.id, { metadata: { kept: true } });
    class Plan {
      tier = "pro";
    }
    const refused: unknown[] = [
      null,
      [],
      [1, 2],
      "a string",
      42,
      new Date(),
      new Map([["a", 1]]),
      new Plan(),
      { when: new Date() },
      { nothing: undefined },
      { fn: () => 1 },
      { nan: Number.NaN },
      { big: 1n },
      { nested: { deeper: [Number.POSITIVE_INFINITY] } },
      JSON.parse('{"__proto__": {"admin": true}}'),
      { nested: [JSON.parse('{"__proto__": 1}')] },
    ];
    for (const metadata of refused) {
      await expect(
        auth.api.updateUser(user.id, { metadata } as never),
        `metadata ${String(metadata)}`,
      ).rejects.toSatisfy(invalid);
    }
    // Unknown fields (a typo, or a field that is not server-writable here) are refused too.
    await expect(auth.api.updateUser(user.id, { metdata: {} } as never)).rejects.toSatisfy(invalid);
    await expect(
      auth.api.updateUser(user.id, { email: "eve@example.com" } as never),
    ).rejects.toSatisfy(invalid);
    await expect(auth.api.updateUser(user.id, { name: "" })).rejects.toSatisfy(invalid);
    const stored = await auth.storage.users.findById(user.id);
    expect(stored?.metadata).toEqual({ kept: true });
    expect(stored?.email).toBe("ada@example.com");
  });

  it("caps metadata at 16 KB of JSON, counted in UTF-8 bytes", async () => {
    const auth = makeAuth();
    const { user } = await registered(auth);
    expect(METADATA_MAX_BYTES).toBe(16 * 1024);
    // {"s":"..."} is 8 bytes around the string.
    const fits = { s: "a".repeat(METADATA_MAX_BYTES - 8) };
    expect(new TextEncoder().encode(JSON.stringify(fits)).length).toBe(METADATA_MAX_BYTES);
    expect((await auth.api.updateUser(user.id, { metadata: fits })).metadata).toEqual(fits);
    const oneOver = { s: "a".repeat(METADATA_MAX_BYTES - 7) };
    const error = await auth.api.updateUser(user.id, { metadata: oneOver }).catch((e) => e);
    expect(invalid(error)).toBe(true);
    expect(error.details.issues[0].path).toEqual(["metadata"]);
    // Characters are not bytes: 6,000 "é" are 12,000 bytes, 9,000 are over.
    await expect(
      auth.api.updateUser(user.id, { metadata: { s: "é".repeat(9000) } }),
    ).rejects.toSatisfy(invalid);
    expect((await auth.storage.users.findById(user.id))?.metadata).toEqual(fits);
  });

  it("answers not_found for an unknown user, and writes nothing when given nothing", async () => {
    const clock = manualClock(Date.now());
    const auth = makeAuth({ clock });
    const { user } = await registered(auth);
    await expect(auth.api.updateUser("nobody", { name: "x" })).rejects.toSatisfy(notFound);
    await expect(auth.api.updateUser("nobody", {})).rejects.toSatisfy(notFound);
    clock.advance(60);
    const same = await auth.api.updateUser(user.id, {});
    expect(same.updatedAt.toISOString()).toBe(user.updatedAt);
  });
});

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)("auth.api.updateUser over PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let storage: Storage;
  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
    storage = postgresStorage({ pool: db.pool, schema: db.schema });
  });
  afterAll(() => db?.drop());

  roundTrip("PostgreSQL", () => storage);

  it("deletes the account in cascade and frees the address", async () => {
    const auth = makeAuth({ storage });
    const email = `${crypto.randomUUID()}@example.com`;
    const { user } = await registered(auth, email);
    await auth.api.updateUser(user.id, { metadata: { plan: "pro" } });
    await auth.api.deleteAccount(user.id);
    expect(await storage.users.findById(user.id)).toBeNull();
    expect(await storage.passwords.get(user.id)).toBeNull();
    expect(await storage.sessions.listByUser(user.id)).toEqual([]);
    expect((await registered(auth, email)).user.metadata).toEqual({});
  });
});

describe("auth.api.deleteAccount", () => {
  it("needs no step-up: server code is trusted", async () => {
    const clock = manualClock(Date.now());
    const auth = makeAuth({ clock });
    const { cookie, user } = await registered(auth);
    clock.advance(auth.resolved.session.freshAge * 10);
    await auth.api.deleteAccount(user.id);
    expect(await auth.storage.users.findById(user.id)).toBeNull();
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("voids the user's pending mailed tokens and answers not_found once gone", async () => {
    const auth = makeAuth();
    const { user } = await registered(auth);
    await auth.storage.verifications.create({
      id: "reset-token-hash",
      purpose: "password-reset",
      userId: user.id,
      identifier: user.email,
      data: null,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await auth.api.deleteAccount(user.id);
    expect(
      await auth.storage.verifications.consume("reset-token-hash", "password-reset", new Date()),
    ).toBeNull();
    await expect(auth.api.deleteAccount(user.id)).rejects.toSatisfy(notFound);
  });

  it("emits session.revoked (account_deleted) and then user.deleted, with the request's address", async () => {
    const storage = memoryStorage();
    const auth = makeAuth({ storage });
    const { user } = await registered(auth);
    const ctx = buildContext(
      resolveConfig({
        baseURL: auth.config.baseURL,
        secret: "test-secret-that-is-at-least-32-bytes-long",
        storage,
      }),
    );
    const seen: { type: string; userId?: string; ip?: string; reason?: string }[] = [];
    ctx.events.on("*", (event) => {
      seen.push(event as never);
    });
    await deleteAccount(ctx, user.id, { ip: "203.0.113.7" });
    expect(seen.map((event) => event.type)).toEqual(["session.revoked", "user.deleted"]);
    expect(seen[0]).toMatchObject({ userId: user.id, reason: "account_deleted" });
    expect(seen[1]).toMatchObject({ userId: user.id, ip: "203.0.113.7" });
  });
});
