import { describe, expect, it } from "vitest";
import { AuthError } from "../errors.js";
import type { Storage } from "../storage/ports.js";
import { at, createdUser, newUser, sessionRecord, unique } from "./fixtures.js";

const isEmailTaken = (error: unknown) => error instanceof AuthError && error.code === "email_taken";

/**
 * The users port's contract: atomic creation, case-insensitive unique email, the metadata JSON
 * object, the disabled mark, cascade delete, and (where a store has them) the admin's listing
 * and counts.
 */
export function usersContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("users port", () => {
    it("creates a user and finds it by id and by email, every field intact", async () => {
      const storage = await makeStorage();
      const input = newUser({ name: "Ada Lovelace ✓", emailVerified: true });
      const created = await storage.users.create(input);
      // Created without metadata: it reads back as an empty object; a new user is enabled.
      const expected = { ...input, metadata: {}, updatedAt: input.createdAt, disabledAt: null };
      expect(created).toEqual(expected);
      expect(await storage.users.findById(input.id)).toEqual(expected);
      expect(await storage.users.findByEmail(input.email)).toEqual(expected);
      expect(await storage.users.findById(unique("missing"))).toBeNull();
      expect(await storage.users.findByEmail(`${unique("missing")}@example.com`)).toBeNull();
    });

    it("finds by email case-insensitively and refuses a second account in another case", async () => {
      const storage = await makeStorage();
      const input = newUser();
      await storage.users.create(input);
      expect((await storage.users.findByEmail(input.email.toUpperCase()))?.id).toBe(input.id);
      const twin = newUser({ email: input.email.toUpperCase() });
      await expect(storage.users.create(twin, { passwordHash: "h" })).rejects.toSatisfy(
        isEmailTaken,
      );
      // Atomic: the refused user left nothing behind, not even its password.
      expect(await storage.users.findById(twin.id)).toBeNull();
      expect(await storage.passwords.get(twin.id)).toBeNull();
    });

    it("makes exactly one account of many concurrent registrations of one email", async () => {
      const storage = await makeStorage();
      const email = `${unique("race")}@example.com`;
      const attempts = Array.from({ length: 20 }, (_, i) =>
        storage.users.create(newUser({ email: i % 2 ? email : email.toUpperCase() }), {
          passwordHash: `hash-${i}`,
        }),
      );
      const results = await Promise.allSettled(attempts);
      const created = results.filter((result) => result.status === "fulfilled");
      expect(created).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(isEmailTaken(result.reason)).toBe(true);
      }
      const winner = await storage.users.findByEmail(email);
      expect(winner?.id).toBe((created[0] as PromiseFulfilledResult<{ id: string }>).value.id);
      expect(await storage.passwords.get(winner?.id as string)).toMatch(/^hash-\d+$/);
    });

    it("stores the password hash with the user, in the same operation", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      expect(await storage.passwords.get(user.id)).toBe("$test$hash-0");
      const withoutPassword = await storage.users.create(newUser());
      expect(await storage.passwords.get(withoutPassword.id)).toBeNull();
    });

    it("updates fields, keeps the rest, and returns null for an unknown id", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage, { name: "Before" });
      const newEmail = `${unique("moved")}@example.com`;
      const updated = await storage.users.update(user.id, {
        email: newEmail,
        emailVerified: true,
        updatedAt: at(60),
      });
      expect(updated).toEqual({
        ...user,
        email: newEmail,
        emailVerified: true,
        updatedAt: at(60),
      });
      expect(await storage.users.findById(user.id)).toEqual(updated);
      expect(await storage.users.findByEmail(user.email)).toBeNull();
      expect((await storage.users.findByEmail(newEmail.toUpperCase()))?.id).toBe(user.id);
      const renamed = await storage.users.update(user.id, { name: null, updatedAt: at(90) });
      expect(renamed?.name).toBeNull();
      expect(renamed?.email).toBe(newEmail);
      expect(
        await storage.users.update(unique("missing"), { name: "x", updatedAt: at(1) }),
      ).toBeNull();
    });

    it("keeps metadata as a JSON object: round trip, replaced whole, a copy never shared", async () => {
      const storage = await makeStorage();
      const metadata = {
        plan: "pro",
        seats: 3,
        ratio: 0.25,
        trial: false,
        cancelledAt: null,
        nested: { tags: ["a", "é ✓", 7, true, null, { deep: [] }], empty: {} },
        "key with spaces and 'quotes' \"\\": "ok",
      };
      const input = newUser({ name: "Ada", metadata });
      const created = await storage.users.create(input, { passwordHash: "$test$hash-0" });
      expect(created.metadata).toEqual(metadata);
      expect((await storage.users.findById(input.id))?.metadata).toEqual(metadata);
      expect((await storage.users.findByEmail(input.email))?.metadata).toEqual(metadata);
      // Neither the object given nor one handed out is the stored one.
      metadata.plan = "changed by the caller";
      created.metadata.plan = "changed too";
      const found = (await storage.users.findById(input.id))?.metadata as typeof metadata;
      expect(found.plan).toBe("pro");
      found.nested.tags.push("mutated");
      expect((await storage.users.findById(input.id))?.metadata.nested).toEqual({
        tags: ["a", "é ✓", 7, true, null, { deep: [] }],
        empty: {},
      });

      // An update replaces the whole object and keeps every other field; undefined keeps.
      const replaced = await storage.users.update(input.id, {
        name: undefined,
        metadata: { only: "this" },
        updatedAt: at(30),
      });
      expect(replaced).toEqual({ ...created, metadata: { only: "this" }, updatedAt: at(30) });
      expect(await storage.users.findById(input.id)).toEqual(replaced);
      const renamed = await storage.users.update(input.id, { name: "Ada L.", updatedAt: at(40) });
      expect(renamed?.metadata).toEqual({ only: "this" });
      expect(renamed?.name).toBe("Ada L.");
      // A big value (close to the library's 16 KB cap) fits.
      const big = { text: "é".repeat(7000), list: Array.from({ length: 200 }, (_, i) => i) };
      expect(
        (await storage.users.update(input.id, { metadata: big, updatedAt: at(50) }))?.metadata,
      ).toEqual(big);
      expect((await storage.users.findByEmail(input.email))?.metadata).toEqual(big);
      const cleared = await storage.users.update(input.id, { metadata: {}, updatedAt: at(60) });
      expect(cleared?.metadata).toEqual({});
      expect((await storage.users.findById(input.id))?.metadata).toEqual({});
    });

    it("refuses to move a user onto another user's email, in any case", async () => {
      const storage = await makeStorage();
      const first = await createdUser(storage);
      const second = await createdUser(storage);
      await expect(
        storage.users.update(second.id, { email: first.email.toUpperCase(), updatedAt: at(5) }),
      ).rejects.toSatisfy(isEmailTaken);
      expect((await storage.users.findById(second.id))?.email).toBe(second.email);
      // Changing only the case of one's own email is not a conflict.
      const recased = await storage.users.update(first.id, {
        email: first.email.toUpperCase(),
        updatedAt: at(6),
      });
      expect(recased?.email).toBe(first.email.toUpperCase());
    });

    it("keeps disabledAt: set, kept by other updates, cleared, never someone else's", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const bystander = await createdUser(storage);
      const disabled = await storage.users.update(user.id, {
        disabledAt: at(100),
        updatedAt: at(100),
      });
      expect(disabled).toEqual({ ...user, disabledAt: at(100), updatedAt: at(100) });
      expect(await storage.users.findById(user.id)).toEqual(disabled);
      expect(await storage.users.findByEmail(user.email)).toEqual(disabled);
      // An update that does not name it keeps it.
      const renamed = await storage.users.update(user.id, { name: "Ada", updatedAt: at(110) });
      expect(renamed?.disabledAt).toEqual(at(100));
      expect((await storage.users.findById(bystander.id))?.disabledAt).toBeNull();
      const enabled = await storage.users.update(user.id, { disabledAt: null, updatedAt: at(120) });
      expect(enabled?.disabledAt).toBeNull();
      expect((await storage.users.findById(user.id))?.disabledAt).toBeNull();
    });

    it("lists by email prefix, case-insensitively, a page at a time without repeats or skips", async () => {
      const storage = await makeStorage();
      const list = storage.users.list?.bind(storage.users);
      // Optional: a store without it leaves auth.api.admin.findUsers unavailable.
      if (!list) return;
      const prefix = unique("list").toLowerCase();
      const emails = ["b", "a", "C", "d-1", "d.2", "e+tag", "Z"].map(
        (local) => `${prefix}-${local}@Example.com`,
      );
      const created = [];
      for (const email of emails) created.push(await storage.users.create(newUser({ email })));
      // Not matched: the prefix elsewhere than at the start, and a near miss.
      await storage.users.create(newUser({ email: `x${prefix}-a@example.com` }));
      await storage.users.create(newUser({ email: `${prefix.slice(0, -1)}@example.com` }));

      const all = await list({ emailPrefix: prefix, limit: 100 });
      expect(all.map((user) => user.id).sort()).toEqual(created.map((user) => user.id).sort());
      // Every field, as findById hands it out.
      for (const user of all) expect(user).toEqual(await storage.users.findById(user.id));
      const keys = all.map((user) => user.email.toLowerCase());
      expect(new Set(keys).size).toBe(keys.length);

      const paged: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const users = await list({ emailPrefix: prefix, afterEmail: after, limit: 2 });
        expect(users.length).toBeLessThanOrEqual(2);
        paged.push(...users.map((user) => user.id));
        if (users.length < 2) break;
        after = (users[users.length - 1] as { email: string }).email.toLowerCase();
      }
      // The same users in the same order as the one big page: none repeated, none skipped.
      expect(paged).toEqual(all.map((user) => user.id));
      expect(await list({ emailPrefix: prefix, afterEmail: keys.at(-1), limit: 5 })).toEqual([]);
      expect(await list({ emailPrefix: `${prefix}-c@`, limit: 5 })).toEqual([
        await storage.users.findById((created[2] as { id: string }).id),
      ]);
      // A user added between two pages, before the cursor, is not seen; after it, it is.
      const first = await list({ emailPrefix: prefix, limit: 3 });
      const cursor = (first.at(-1) as { email: string }).email.toLowerCase();
      const early = await storage.users.create(newUser({ email: `${prefix}-0@example.com` }));
      const late = await storage.users.create(newUser({ email: `${prefix}-zz@example.com` }));
      const rest = await list({ emailPrefix: prefix, afterEmail: cursor, limit: 100 });
      expect(rest.map((user) => user.id)).not.toContain(early.id);
      expect(rest.map((user) => user.id)).toContain(late.id);
    });

    it("takes %, _ and backslash in a prefix literally, never as wildcards", async () => {
      const storage = await makeStorage();
      const list = storage.users.list?.bind(storage.users);
      if (!list) return;
      const prefix = unique("wild").toLowerCase();
      const make = (local: string) =>
        storage.users.create(newUser({ email: `${prefix}${local}@example.com` }));
      const underscore = await make("_x");
      await make("ax"); // what `_` would match as a LIKE wildcard
      const percent = await make("%y");
      await make("zzy"); // what `%` would match
      const backslash = await make("\\q");
      await make("q"); // what `\q` would match if the backslash escaped the q
      const ids = async (emailPrefix: string) =>
        (await list({ emailPrefix, limit: 10 })).map((user) => user.id);
      expect(await ids(`${prefix}_`)).toEqual([underscore.id]);
      expect(await ids(`${prefix}%`)).toEqual([percent.id]);
      expect(await ids(`${prefix}\\`)).toEqual([backslash.id]);
      expect(await ids(`${prefix}\\q`)).toEqual([backslash.id]);
      expect(await ids(`${prefix}%y@`)).toEqual([percent.id]);
      expect((await ids(prefix)).length).toBe(6);
    });

    it("counts users, the verified, the disabled and the recent ones", async () => {
      const storage = await makeStorage();
      const count = storage.users.count?.bind(storage.users);
      if (!count) return;
      // Other tests share the store: only the difference made here is looked at.
      const recent = at(400 * 86_400);
      const before = await count({ createdSince: [recent, at(0)] });
      await storage.users.create(newUser({ createdAt: at(-10) }));
      await storage.users.create(newUser({ createdAt: recent, emailVerified: true }));
      const disabled = await storage.users.create(newUser({ createdAt: at(401 * 86_400) }));
      await storage.users.update(disabled.id, { disabledAt: at(5), updatedAt: at(5) });
      const after = await count({ createdSince: [recent, at(0)] });
      expect(after.total - before.total).toBe(3);
      expect(after.verified - before.verified).toBe(1);
      expect(after.disabled - before.disabled).toBe(1);
      expect(after.createdSince.length).toBe(2);
      expect((after.createdSince[0] as number) - (before.createdSince[0] as number)).toBe(2);
      expect((after.createdSince[1] as number) - (before.createdSince[1] as number)).toBe(2);
      expect(after.total).toBeGreaterThanOrEqual(after.disabled);
      expect(await count({ createdSince: [] })).toMatchObject({ createdSince: [] });
    });

    it("deletes a user with its password, sessions and tokens, and nobody else's", async () => {
      const storage = await makeStorage();
      const doomed = await createdUser(storage);
      const bystander = await createdUser(storage);
      const session = sessionRecord(doomed.id);
      const kept = sessionRecord(bystander.id);
      await storage.sessions.create(session);
      await storage.sessions.create(kept);
      const token = unique("token");
      await storage.verifications.create({
        id: token,
        purpose: "password-reset",
        userId: doomed.id,
        identifier: doomed.email,
        data: null,
        createdAt: at(0),
        expiresAt: at(900),
      });
      await storage.users.delete(doomed.id);
      expect(await storage.users.findById(doomed.id)).toBeNull();
      expect(await storage.users.findByEmail(doomed.email)).toBeNull();
      expect(await storage.passwords.get(doomed.id)).toBeNull();
      expect(await storage.sessions.get(session.id)).toBeNull();
      expect(await storage.verifications.consume(token, "password-reset", at(1))).toBeNull();
      expect(await storage.sessions.get(kept.id)).not.toBeNull();
      expect(await storage.passwords.get(bystander.id)).not.toBeNull();
      // The email is free again.
      await storage.users.create(newUser({ email: doomed.email }));
      // Deleting an unknown user is not an error.
      await storage.users.delete(unique("missing"));
    });
  });
}
