import { describe, expect, it } from "vitest";
import type { PasskeyRecord, Storage } from "../storage/ports.js";

/*
 * The passkeys port's contract: every adapter must pass it. Users are created through the users
 * port first, so adapters with foreign keys are exercised as they will be used.
 */

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

async function newUser(storage: Storage): Promise<string> {
  const id = unique("user");
  await storage.users.create({
    id,
    email: `${id}@example.com`,
    emailVerified: false,
    name: null,
    createdAt: new Date(Date.UTC(2026, 0, 1)),
  });
  return id;
}

function passkey(userId: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    id: unique("cred"),
    userId,
    publicKey:
      "pQECAyYgASFYIBdmUVOxrn-OOtkVwGP_vAspH3VLgzcTXu5JLj0fn7KAIlggw1R0aP6yxwDKgLbdwvb-BH6bmLp5l4hH0VpMqP9DL1M",
    counter: 0,
    transports: ["internal", "hybrid"],
    deviceType: "multiDevice",
    backedUp: true,
    name: null,
    createdAt: new Date(Date.UTC(2026, 0, 1)),
    lastUsedAt: null,
    createdIp: "203.0.113.7",
    createdUserAgent: "Test/1.0",
    ...overrides,
  };
}

export function passkeysContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("passkeys port", () => {
    it("deletes every passkey of one user at once, and no one else's", async () => {
      const storage = await makeStorage();
      const owner = await newUser(storage);
      const other = await newUser(storage);
      await storage.passkeys.create(passkey(owner));
      await storage.passkeys.create(passkey(owner, { createdIp: null, createdUserAgent: null }));
      const kept = passkey(other);
      await storage.passkeys.create(kept);
      expect(await storage.passkeys.deleteByUser(owner)).toBe(2);
      expect(await storage.passkeys.listByUser(owner)).toEqual([]);
      expect(await storage.passkeys.findById(kept.id)).toEqual(kept);
      expect(await storage.passkeys.deleteByUser(owner)).toBe(0);
    });

    it("stores a passkey and finds it by credential id with every field intact", async () => {
      const storage = await makeStorage();
      const record = passkey(await newUser(storage), { counter: 7, name: "Laptop" });
      expect(await storage.passkeys.create(record)).toBe(true);
      expect(await storage.passkeys.findById(record.id)).toEqual(record);
      expect(await storage.passkeys.findById("no-such-credential")).toBeNull();
    });

    it("refuses a second passkey with the same credential id, even for another user", async () => {
      const storage = await makeStorage();
      const first = passkey(await newUser(storage));
      const other = await newUser(storage);
      expect(await storage.passkeys.create(first)).toBe(true);
      expect(await storage.passkeys.create({ ...first, userId: other, name: "stolen" })).toBe(
        false,
      );
      expect((await storage.passkeys.findById(first.id))?.userId).toBe(first.userId);
    });

    it("lists one user's passkeys, oldest first, and nobody else's", async () => {
      const storage = await makeStorage();
      const userId = await newUser(storage);
      const other = await newUser(storage);
      const newer = passkey(userId, { createdAt: new Date(Date.UTC(2026, 0, 3)) });
      const older = passkey(userId, { createdAt: new Date(Date.UTC(2026, 0, 2)) });
      await storage.passkeys.create(newer);
      await storage.passkeys.create(older);
      await storage.passkeys.create(passkey(other));
      const listed = await storage.passkeys.listByUser(userId);
      expect(listed.map((p) => p.id)).toEqual([older.id, newer.id]);
      expect(await storage.passkeys.listByUser(await newUser(storage))).toEqual([]);
    });

    it("records a use only when the counter moves forward (or stays at zero)", async () => {
      const storage = await makeStorage();
      const record = passkey(await newUser(storage), { counter: 5, backedUp: false });
      await storage.passkeys.create(record);
      const usedAt = new Date(Date.UTC(2026, 0, 9));
      expect(
        await storage.passkeys.recordUse(record.id, { counter: 5, backedUp: true, usedAt }),
      ).toBe(false);
      expect(
        await storage.passkeys.recordUse(record.id, { counter: 4, backedUp: true, usedAt }),
      ).toBe(false);
      expect((await storage.passkeys.findById(record.id))?.counter).toBe(5);
      expect(
        await storage.passkeys.recordUse(record.id, { counter: 6, backedUp: true, usedAt }),
      ).toBe(true);
      const after = await storage.passkeys.findById(record.id);
      expect(after).toMatchObject({ counter: 6, backedUp: true, lastUsedAt: usedAt });

      const counterless = passkey(record.userId);
      await storage.passkeys.create(counterless);
      expect(
        await storage.passkeys.recordUse(counterless.id, { counter: 0, backedUp: true, usedAt }),
      ).toBe(true);
      expect(
        await storage.passkeys.recordUse("no-such-credential", {
          counter: 9,
          backedUp: false,
          usedAt,
        }),
      ).toBe(false);
    });

    it("lets exactly one of many concurrent uses with the same counter through", async () => {
      const storage = await makeStorage();
      const record = passkey(await newUser(storage), { counter: 1 });
      await storage.passkeys.create(record);
      const usedAt = new Date(Date.UTC(2026, 0, 9));
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          storage.passkeys.recordUse(record.id, { counter: 2, backedUp: false, usedAt }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("renames only the owner's passkey", async () => {
      const storage = await makeStorage();
      const record = passkey(await newUser(storage));
      const other = await newUser(storage);
      await storage.passkeys.create(record);
      expect(await storage.passkeys.rename(other, record.id, "mine now")).toBeNull();
      expect((await storage.passkeys.rename(record.userId, record.id, "Phone"))?.name).toBe(
        "Phone",
      );
      expect((await storage.passkeys.findById(record.id))?.name).toBe("Phone");
      expect((await storage.passkeys.rename(record.userId, record.id, null))?.name).toBeNull();
      expect(await storage.passkeys.rename(record.userId, "no-such-credential", "x")).toBeNull();
    });

    it("deletes only the owner's passkey, and with keepLast never the last one", async () => {
      const storage = await makeStorage();
      const userId = await newUser(storage);
      const other = await newUser(storage);
      const first = passkey(userId);
      const second = passkey(userId);
      await storage.passkeys.create(first);
      await storage.passkeys.create(second);
      expect(await storage.passkeys.delete(other, first.id)).toBe("not_found");
      expect(await storage.passkeys.delete(userId, first.id, { keepLast: true })).toBe("deleted");
      expect(await storage.passkeys.delete(userId, second.id, { keepLast: true })).toBe("last");
      expect(await storage.passkeys.findById(second.id)).not.toBeNull();
      expect(await storage.passkeys.delete(userId, second.id)).toBe("deleted");
      expect(await storage.passkeys.delete(userId, second.id)).toBe("not_found");
      expect(await storage.passkeys.listByUser(userId)).toEqual([]);
    });

    it("keeps one passkey when two are deleted concurrently with keepLast", async () => {
      const storage = await makeStorage();
      const userId = await newUser(storage);
      const first = passkey(userId);
      const second = passkey(userId);
      await storage.passkeys.create(first);
      await storage.passkeys.create(second);
      const results = await Promise.all([
        storage.passkeys.delete(userId, first.id, { keepLast: true }),
        storage.passkeys.delete(userId, second.id, { keepLast: true }),
      ]);
      expect(results.sort()).toEqual(["deleted", "last"]);
      expect(await storage.passkeys.listByUser(userId)).toHaveLength(1);
    });

    it("deletes a user's passkeys with the user", async () => {
      const storage = await makeStorage();
      const record = passkey(await newUser(storage));
      await storage.passkeys.create(record);
      await storage.users.delete(record.userId);
      expect(await storage.passkeys.findById(record.id)).toBeNull();
    });
  });
}
