import { describe, expect, it } from "vitest";
import { AuthError } from "../errors.js";
import type { AuditQuery, AuditRecord, AuditStore, Storage } from "../storage/ports.js";
import { at, createdUser, unique } from "./fixtures.js";

/*
 * The audit port's contract: every field kept, filters, newest first, and a keyset cursor that
 * neither repeats nor skips a record while others are appended. Adapters may share one database
 * across tests, so every query filters on a user id of its own test.
 */

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: unique("event"),
    type: "user.signed_in",
    at: at(0),
    userId: unique("user"),
    ip: "2001:db8::7",
    userAgent: "Mozilla/5.0 (contract test) é ✓",
    data: { method: "password", sessionId: unique("session") },
    ...overrides,
  };
}

/** Every page of a query, following `nextCursor` until it is null. */
async function allPages(audit: AuditStore, query: AuditQuery): Promise<AuditRecord[][]> {
  const pages: AuditRecord[][] = [];
  let cursor: string | undefined;
  do {
    const page = await audit.query({ ...query, ...(cursor ? { cursor } : {}) });
    pages.push(page.records);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 100) throw new Error("the cursor never ends");
  } while (cursor !== undefined);
  return pages;
}

const ids = (records: AuditRecord[]) => records.map((r) => r.id);

/** `count` records of one user, a second apart from `start`, oldest first. */
async function appendSeries(audit: AuditStore, userId: string, count: number, start = 0) {
  const appended: AuditRecord[] = [];
  for (let i = 0; i < count; i++) {
    const each = record({ userId, at: at(start + i) });
    await audit.append(each);
    appended.push(each);
  }
  return appended;
}

export function auditContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("audit port", () => {
    it("reads back every field of what it appended, as a copy", async () => {
      const { audit } = await makeStorage();
      const full = record({
        type: "passkey.clone_suspected",
        data: {
          passkeyId: "cred-1",
          storedCounter: 41,
          presentedCounter: 7,
          nested: { list: [1, "two", null, true], quote: 'he said "hi"\n' },
        },
      });
      const bare = record({
        userId: full.userId,
        type: "user.deleted",
        at: at(1),
        ip: null,
        userAgent: null,
        data: {},
      });
      await audit.append(full);
      await audit.append(bare);
      // Changing what was handed in changes nothing stored.
      (full.data.nested as { list: unknown[] }).list.push("changed");
      full.at.setTime(0);
      const { records, nextCursor } = await audit.query({
        userId: full.userId as string,
        limit: 10,
      });
      expect(nextCursor).toBeNull();
      expect(records).toEqual([
        bare,
        {
          ...full,
          at: at(0),
          data: {
            passkeyId: "cred-1",
            storedCounter: 41,
            presentedCounter: 7,
            nested: { list: [1, "two", null, true], quote: 'he said "hi"\n' },
          },
        },
      ]);
      expect(records[0]?.at).toBeInstanceOf(Date);
    });

    it("keeps a record without a user, and ignores a second append of one id", async () => {
      const { audit } = await makeStorage();
      const anonymous = record({ userId: null, type: unique("type"), data: { messageId: "m" } });
      await audit.append(anonymous);
      await audit.append({ ...anonymous, data: { messageId: "other" } });
      const { records } = await audit.query({ type: anonymous.type, limit: 10 });
      expect(records).toEqual([anonymous]);
    });

    it("filters by user, type, since (inclusive) and until (exclusive), together", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      const otherUser = unique("user");
      const signIn = record({ userId, at: at(10) });
      const failed = record({
        userId,
        type: "user.sign_in_failed",
        at: at(20),
        data: { method: "password", reason: "wrong_password" },
      });
      const later = record({ userId, at: at(30) });
      const someoneElse = record({ userId: otherUser, at: at(20) });
      for (const each of [signIn, failed, later, someoneElse]) await audit.append(each);

      const query = async (q: Partial<AuditQuery>) =>
        ids((await audit.query({ userId, limit: 50, ...q })).records);
      expect(await query({})).toEqual([later.id, failed.id, signIn.id]);
      expect(await query({ userId: otherUser })).toEqual([someoneElse.id]);
      expect(await query({ type: "user.signed_in" })).toEqual([later.id, signIn.id]);
      expect(await query({ type: "user.sign_in_failed" })).toEqual([failed.id]);
      expect(await query({ since: at(20) })).toEqual([later.id, failed.id]);
      expect(await query({ until: at(20) })).toEqual([signIn.id]);
      expect(await query({ since: at(10), until: at(30) })).toEqual([failed.id, signIn.id]);
      expect(await query({ type: "user.signed_in", since: at(11) })).toEqual([later.id]);
      expect(await query({ since: at(31) })).toEqual([]);
      expect(await query({ userId: unique("nobody") })).toEqual([]);
    });

    it("lists newest first, and records of one instant latest appended first", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      const middle = record({ userId, at: at(50) });
      const newest = record({ userId, at: at(90) });
      const oldest = record({ userId, at: at(10) });
      const sameFirst = record({ userId, at: at(50) });
      const sameSecond = record({ userId, at: at(50) });
      // Appended out of time order, as instances with their own clocks may.
      for (const each of [middle, newest, oldest, sameFirst, sameSecond]) await audit.append(each);
      const { records } = await audit.query({ userId, limit: 50 });
      expect(ids(records)).toEqual([newest.id, sameSecond.id, sameFirst.id, middle.id, oldest.id]);
    });

    it("pages 25 records by 10: each once, in order, and the last page says so", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      const appended = await appendSeries(audit, userId, 25);
      const pages = await allPages(audit, { userId, limit: 10 });
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((r) => r.id)).toEqual(ids(appended).reverse());
    });

    it("ends on a full last page without an empty one after it", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      await appendSeries(audit, userId, 20);
      const pages = await allPages(audit, { userId, limit: 10 });
      expect(pages.map((page) => page.length)).toEqual([10, 10]);
    });

    it("pages through records of one instant without repeating or skipping one", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      const appended: AuditRecord[] = [];
      for (let i = 0; i < 12; i++) {
        const each = record({ userId, at: at(500) });
        await audit.append(each);
        appended.push(each);
      }
      const pages = await allPages(audit, { userId, limit: 5 });
      expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
      expect(pages.flat().map((r) => r.id)).toEqual(ids(appended).reverse());
    });

    it("neither repeats nor skips older records when newer ones are appended between pages", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      const appended = await appendSeries(audit, userId, 25, 100);
      const first = await audit.query({ userId, limit: 10 });
      expect(ids(first.records)).toEqual(ids(appended.slice(15)).reverse());
      // Newer records arrive, one of them at the very instant of the page's last record.
      await appendSeries(audit, userId, 5, 1000);
      await audit.append(record({ userId, at: first.records.at(-1)?.at as Date }));
      const rest = await allPages(audit, { userId, limit: 10, cursor: first.nextCursor as string });
      expect(rest.flat().map((r) => r.id)).toEqual(ids(appended.slice(0, 15)).reverse());
    });

    it("keeps the filters across pages", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      for (let i = 0; i < 9; i++) {
        const type = i % 3 === 0 ? "user.signed_out" : "user.signed_in";
        await audit.append(record({ userId, type, at: at(i) }));
      }
      const pages = await allPages(audit, {
        userId,
        type: "user.signed_in",
        since: at(1),
        limit: 2,
      });
      expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
      expect(pages.flat().map((r) => r.at)).toEqual([at(8), at(7), at(5), at(4), at(2), at(1)]);
    });

    it("refuses a cursor it did not make with invalid_request", async () => {
      const { audit } = await makeStorage();
      for (const cursor of ["not-a-cursor", "!!", "x".repeat(500)]) {
        await expect(audit.query({ userId: unique("user"), limit: 5, cursor })).rejects.toSatisfy(
          (error) => error instanceof AuthError && error.code === "invalid_request",
        );
      }
    });

    it("deletes the records strictly older than a date, and only those", async () => {
      const { audit } = await makeStorage();
      const userId = unique("user");
      // Long before any other test's records, which a shared database may hold.
      const old = record({ userId, at: new Date(Date.UTC(1990, 0, 1)) });
      const edge = record({ userId, at: new Date(Date.UTC(1990, 5, 1)) });
      const recent = record({ userId, at: new Date(Date.UTC(1991, 0, 1)) });
      for (const each of [old, edge, recent]) await audit.append(each);
      expect(await audit.deleteOlderThan(new Date(Date.UTC(1990, 5, 1)))).toBeGreaterThanOrEqual(1);
      const { records } = await audit.query({ userId, limit: 10 });
      expect(ids(records)).toEqual([recent.id, edge.id]);
      expect(await audit.deleteOlderThan(new Date(Date.UTC(1990, 5, 1)))).toBe(0);
    });

    it("keeps a user's records after the user is deleted", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const signedIn = record({ userId: user.id });
      await storage.audit.append(signedIn);
      await storage.users.delete(user.id);
      const { records } = await storage.audit.query({ userId: user.id, limit: 10 });
      expect(records).toEqual([signedIn]);
    });
  });
}
