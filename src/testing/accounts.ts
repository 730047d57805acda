import { describe, expect, it } from "vitest";
import type { LinkedAccountRecord, LinkedAccountStore, Storage } from "../storage/ports.js";
import { at, createdUser, unique } from "./fixtures.js";

/*
 * The accounts port's contract (linked OAuth identities): an identity is linked to one user at
 * most, whatever the race; a user's identities are listed, unlinked one by one (never the last
 * with keepLast) and go with the user.
 */

function accountsOf(storage: Storage): LinkedAccountStore {
  if (!storage.accounts) {
    throw new Error('this storage has no accounts port: pass skip: ["accounts"] to testStorage');
  }
  return storage.accounts;
}

function linked(userId: string, overrides: Partial<LinkedAccountRecord> = {}): LinkedAccountRecord {
  return {
    id: unique("account"),
    provider: "example",
    subject: unique("subject"),
    userId,
    email: "ada@example.com",
    tokens: null,
    createdAt: at(0),
    ...overrides,
  };
}

export function accountsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("accounts port", () => {
    it("links an identity and finds it by provider and subject, every field intact", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const record = linked(user.id, { tokens: "v1.sealed.tokens", email: null });
      expect(await accounts.create(record)).toBe(true);
      expect(await accounts.find(record.provider, record.subject)).toEqual(record);
      expect(await accounts.find("other-provider", record.subject)).toBeNull();
      expect(await accounts.find(record.provider, record.subject.toUpperCase())).toBeNull();
      expect(await accounts.find(record.provider, unique("subject"))).toBeNull();
    });

    it("links one identity to one user only, even when several try at once", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const [first, second] = [await createdUser(storage), await createdUser(storage)];
      const subject = unique("subject");
      const results = await Promise.all(
        [first, second, first].map((user) => accounts.create(linked(user.id, { subject }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const owner = (await accounts.find("example", subject))?.userId;
      expect([first.id, second.id]).toContain(owner);
      // The same subject at another provider is another identity.
      expect(await accounts.create(linked(second.id, { subject, provider: "other" }))).toBe(true);
    });

    it("lists one user's identities, oldest first, and nobody else's", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const newer = linked(user.id, { createdAt: at(20), provider: "b" });
      const older = linked(user.id, { createdAt: at(10), provider: "a" });
      await accounts.create(newer);
      await accounts.create(older);
      await accounts.create(linked(other.id));
      expect((await accounts.listByUser(user.id)).map((a) => a.id)).toEqual([older.id, newer.id]);
      expect(await accounts.listByUser((await createdUser(storage)).id)).toEqual([]);
    });

    it("replaces the sealed tokens of the user's own identity only", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const record = linked(user.id);
      await accounts.create(record);
      await accounts.setTokens(user.id, record.id, "v1.new");
      expect((await accounts.find(record.provider, record.subject))?.tokens).toBe("v1.new");
      await accounts.setTokens(other.id, record.id, "v1.stolen");
      expect((await accounts.find(record.provider, record.subject))?.tokens).toBe("v1.new");
      await accounts.setTokens(user.id, record.id, null);
      expect((await accounts.find(record.provider, record.subject))?.tokens).toBeNull();
      await accounts.setTokens(user.id, unique("missing"), "v1.x");
    });

    it("unlinks only the owner's identity, and with keepLast never the last one", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const first = linked(user.id);
      const second = linked(user.id);
      await accounts.create(first);
      await accounts.create(second);
      expect(await accounts.delete(other.id, first.id)).toBe("not_found");
      expect(await accounts.delete(user.id, first.id, { keepLast: true })).toBe("deleted");
      expect(await accounts.find(first.provider, first.subject)).toBeNull();
      expect(await accounts.delete(user.id, second.id, { keepLast: true })).toBe("last");
      expect(await accounts.find(second.provider, second.subject)).not.toBeNull();
      expect(await accounts.delete(user.id, second.id)).toBe("deleted");
      expect(await accounts.delete(user.id, second.id)).toBe("not_found");
      // Unlinked, the identity may be linked again (to anyone).
      expect(await accounts.create(linked(other.id, { subject: first.subject }))).toBe(true);
    });

    it("keeps one identity when two are unlinked concurrently with keepLast", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const first = linked(user.id);
      const second = linked(user.id);
      await accounts.create(first);
      await accounts.create(second);
      const results = await Promise.all([
        accounts.delete(user.id, first.id, { keepLast: true }),
        accounts.delete(user.id, second.id, { keepLast: true }),
      ]);
      expect(results.sort()).toEqual(["deleted", "last"]);
      expect(await accounts.listByUser(user.id)).toHaveLength(1);
    });

    it("unlinks every identity of a user at once, and goes with the user", async () => {
      const storage = await makeStorage();
      const accounts = accountsOf(storage);
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      await accounts.create(linked(user.id));
      await accounts.create(linked(user.id));
      const kept = linked(other.id);
      await accounts.create(kept);
      expect(await accounts.deleteByUser(user.id)).toBe(2);
      expect(await accounts.listByUser(user.id)).toEqual([]);
      expect(await accounts.deleteByUser(user.id)).toBe(0);
      await storage.users.delete(other.id);
      expect(await accounts.find(kept.provider, kept.subject)).toBeNull();
    });
  });
}
