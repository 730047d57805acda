import { describe, expect, it } from "vitest";
import { AuthError } from "../errors.js";
import type { Storage } from "../storage/ports.js";
import { at, createdUser, newUser, sessionRecord, unique } from "./fixtures.js";

const isEmailTaken = (error: unknown) => error instanceof AuthError && error.code === "email_taken";

/**
 * The users port's contract: atomic creation, case-insensitive unique email, the metadata JSON
 * object, cascade delete.
 */
export function usersContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("users port", () => {
    it("creates a user and finds it by id and by email, every field intact", async () => {
      const storage = await makeStorage();
      const input = newUser({ name: "Ada Lovelace ✓", emailVerified: true });
      const created = await storage.users.create(input);
      // Created without metadata: it reads back as an empty object.
      const expected = { ...input, metadata: {}, updatedAt: input.createdAt };
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
