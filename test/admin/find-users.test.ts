import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { memoryStorage, type Storage, type User } from "../../src/index.js";
import { freshPostgres, postgresAvailable } from "../storage/services.js";
import { adminAuth, asAdmin, type TestAuth } from "./helpers.js";

/*
 * `findUsers` / `GET /auth/admin/users`: email prefix, case-insensitive, taken literally (a `%`
 * or `_` in the query is no wildcard), paged in a stable order behind an opaque cursor that
 * neither repeats nor skips, on every store that lists users.
 */

const pgAvailable = await postgresAvailable();

/** Creates users straight in storage (no hashing: this is about listing). */
async function seed(auth: TestAuth, emails: string[]): Promise<User[]> {
  const users: User[] = [];
  for (const [i, email] of emails.entries()) {
    users.push(
      await auth.storage.users.create({
        id: `u-${i}-${email.replace(/[^a-z0-9]/gi, "")}`,
        email,
        emailVerified: i % 2 === 0,
        name: null,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      }),
    );
  }
  return users;
}

/** Every page of a query, following nextCursor; the ids in the order served. */
async function allPages(auth: TestAuth, query: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await auth.api.admin.findUsers({ query, cursor, limit });
    expect(result.users.length).toBeLessThanOrEqual(limit);
    ids.push(...result.users.map((user) => user.id));
    if (result.nextCursor === null) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("more than 100 pages");
}

function findUsersSuite(name: string, makeStorage: () => Storage) {
  describe(`findUsers on ${name}`, () => {
    it("pages through every match once, in one stable order, whatever the page size", async () => {
      const auth = adminAuth({ storage: makeStorage() });
      const emails = Array.from(
        { length: 13 },
        (_, i) => `page${String(i).padStart(2, "0")}@example.com`,
      );
      const users = await seed(auth, [...emails, "other@example.com", "xpage@example.com"]);
      const expected = users.slice(0, 13).map((user) => user.id);
      for (const limit of [1, 2, 3, 5, 13, 50]) {
        const ids = await allPages(auth, "page", limit);
        expect(ids, `limit ${limit}`).toEqual(expected);
      }
      // The last page says so: no cursor to an empty page.
      const exact = await auth.api.admin.findUsers({ query: "page", limit: 13 });
      expect(exact.nextCursor).toBeNull();
    });

    it("neither repeats nor skips when users are added or deleted between pages", async () => {
      const auth = adminAuth({ storage: makeStorage() });
      await seed(auth, ["m1@example.com", "m3@example.com", "m5@example.com", "m7@example.com"]);
      const first = await auth.api.admin.findUsers({ query: "m", limit: 2 });
      expect(first.users.map((user) => user.email)).toEqual(["m1@example.com", "m3@example.com"]);
      // Behind the cursor, ahead of it, and the next one on the page deleted.
      await seed(auth, ["m0@example.com", "m4@example.com"]);
      const m5 = await auth.storage.users.findByEmail("m5@example.com");
      await auth.api.admin.deleteUser(m5?.id as string);
      const second = await auth.api.admin.findUsers({
        query: "m",
        limit: 2,
        cursor: first.nextCursor as string,
      });
      expect(second.users.map((user) => user.email)).toEqual(["m4@example.com", "m7@example.com"]);
    });

    it("matches case-insensitively and only at the start", async () => {
      const auth = adminAuth({ storage: makeStorage() });
      await seed(auth, ["Ada.Lovelace@Example.com", "ada@example.com", "grace-ada@example.com"]);
      for (const query of ["ada", "ADA", "  aDa  "]) {
        const { users } = await auth.api.admin.findUsers({ query });
        expect(users.map((user) => user.email.toLowerCase()).sort()).toEqual([
          "ada.lovelace@example.com",
          "ada@example.com",
        ]);
      }
      expect((await auth.api.admin.findUsers({ query: "lovelace" })).users).toEqual([]);
      expect((await auth.api.admin.findUsers()).users).toHaveLength(3);
    });

    it("takes % and _ (and \\) literally: no wildcard matches what it should not", async () => {
      const auth = adminAuth({ storage: makeStorage() });
      await seed(auth, [
        "a_b@example.com",
        "axb@example.com",
        "a%b@example.com",
        "azzzb@example.com",
        "a\\b@example.com",
        "ab@example.com",
      ]);
      const emails = async (query: string) =>
        (await asAdmin(auth, "GET", `/users?query=${encodeURIComponent(query)}`)).json?.users.map(
          (user: User) => user.email,
        );
      expect(await emails("a_")).toEqual(["a_b@example.com"]);
      expect(await emails("a%")).toEqual(["a%b@example.com"]);
      expect(await emails("a\\")).toEqual(["a\\b@example.com"]);
      expect(await emails("a\\b")).toEqual(["a\\b@example.com"]);
      expect(await emails("%")).toEqual([]);
      expect(await emails("_")).toEqual([]);
      expect(await emails("%@example.com")).toEqual([]);
      expect((await emails("a")).length).toBe(6);
    });

    it("serves the same over HTTP, with the cursor and limit as query parameters", async () => {
      const auth = adminAuth({ storage: makeStorage() });
      const users = await seed(auth, ["h1@example.com", "h2@example.com", "h3@example.com"]);
      const first = await asAdmin(auth, "GET", "/users?query=h&limit=2&cursor=");
      expect(first.status).toBe(200);
      expect(first.json?.users).toEqual(JSON.parse(JSON.stringify(users.slice(0, 2))));
      const next = await asAdmin(
        auth,
        "GET",
        `/users?query=h&limit=2&cursor=${encodeURIComponent(first.json?.nextCursor)}`,
      );
      expect(next.json).toEqual({
        users: JSON.parse(JSON.stringify([users[2]])),
        nextCursor: null,
      });
    });
  });
}

findUsersSuite("memory", () => memoryStorage());
findUsersSuite("SQLite", () => sqliteStorage({ database: new Database(":memory:") }));

describe.skipIf(!pgAvailable)("findUsers on PostgreSQL", () => {
  const databases: Awaited<ReturnType<typeof freshPostgres>>[] = [];
  let storages: Storage[] = [];
  beforeAll(async () => {
    // One schema per test: each test counts on seeing only its own users.
    for (let i = 0; i < 5; i++) {
      const db = await freshPostgres({ max: 2 });
      await migrate(db.pool, { schema: db.schema });
      databases.push(db);
    }
    storages = databases.map((db) => postgresStorage({ pool: db.pool, schema: db.schema }));
  });
  afterAll(() => Promise.all(databases.map((db) => db.drop())));
  let next = 0;
  findUsersSuite("PostgreSQL", () => storages[next++] as Storage);
});

describe("findUsers input", () => {
  it("refuses a forged, foreign or broken cursor with invalid_request", async () => {
    const auth = adminAuth();
    await seed(auth, ["c1@example.com", "c2@example.com", "c3@example.com"]);
    const { nextCursor } = await auth.api.admin.findUsers({ query: "c", limit: 1 });
    expect(nextCursor).toEqual(expect.any(String));
    const forged = Buffer.from(JSON.stringify({ q: "c", after: "c2@example.com", x: 1 })).toString(
      "base64url",
    );
    for (const cursor of ["nope!", "AAAA", forged, `${nextCursor}x`]) {
      await expect(auth.api.admin.findUsers({ query: "c", cursor })).rejects.toMatchObject({
        code: "invalid_request",
      });
    }
    // A cursor pages the query it came from, no other.
    await expect(
      auth.api.admin.findUsers({ query: "", cursor: nextCursor as string }),
    ).rejects.toMatchObject({ code: "invalid_request" });
    const wrongQuery = await asAdmin(
      auth,
      "GET",
      `/users?query=d&cursor=${encodeURIComponent(nextCursor as string)}`,
    );
    expect(wrongQuery.status).toBe(400);
    expect(wrongQuery.json?.error.message).toContain("with the same query");
  });

  it("refuses a bad limit, an unknown or repeated parameter", async () => {
    const auth = adminAuth();
    for (const query of [
      "limit=0",
      "limit=201",
      "limit=1.5",
      "limit=ten",
      "page=2",
      "query=a&query=b",
    ]) {
      const result = await asAdmin(auth, "GET", `/users?${query}`);
      expect(result.status, query).toBe(400);
      expect(result.json?.error.code).toBe("invalid_request");
    }
    expect((await asAdmin(auth, "GET", "/users?limit=200")).status).toBe(200);
    await expect(auth.api.admin.findUsers({ limit: 0 })).rejects.toMatchObject({
      code: "invalid_request",
    });
  });

  it("says what is missing when the users store cannot list", async () => {
    const storage = memoryStorage();
    delete storage.users.list;
    const auth = adminAuth({ storage });
    await expect(auth.api.admin.findUsers()).rejects.toThrow(/users store's list\(\)/);
    expect((await asAdmin(auth, "GET", "/users")).json?.error.code).toBe("internal");
  });
});
