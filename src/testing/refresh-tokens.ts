import { describe, expect, it } from "vitest";
import type { RefreshFamilyRecord, Storage } from "../storage/ports.js";

/*
 * The refreshTokens port's contract: every adapter must pass it. A family belongs to a user and a
 * session, so both are created through their ports first (adapters with foreign keys need them).
 */

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;
const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

async function newSession(storage: Storage): Promise<{ userId: string; sessionId: string }> {
  const userId = unique("user");
  await storage.users.create({
    id: userId,
    email: `${userId}@example.com`,
    emailVerified: false,
    name: null,
    createdAt: at(0),
  });
  const sessionId = unique("session");
  await storage.sessions.create({
    id: sessionId,
    secretHash: "session-secret-hash",
    userId,
    createdAt: at(0),
    expiresAt: at(86_400),
    absoluteExpiresAt: at(864_000),
    ip: null,
    userAgent: null,
  });
  return { userId, sessionId };
}

function family(
  owner: { userId: string; sessionId: string },
  overrides: Partial<RefreshFamilyRecord> = {},
): RefreshFamilyRecord {
  return {
    id: unique("family"),
    userId: owner.userId,
    sessionId: owner.sessionId,
    secretHash: "hash-0",
    previousSecretHash: null,
    rotatedAt: null,
    createdAt: at(0),
    expiresAt: at(3600),
    ...overrides,
  };
}

export function refreshTokensContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("refreshTokens port", () => {
    it("stores a family and reads it back with every field intact", async () => {
      const storage = await makeStorage();
      const record = family(await newSession(storage));
      await storage.refreshTokens.create(record);
      expect(await storage.refreshTokens.get(record.id)).toEqual(record);
      expect(await storage.refreshTokens.get("no-such-family")).toBeNull();
    });

    it("rotates only from the current hash, remembering the one it replaced", async () => {
      const storage = await makeStorage();
      const record = family(await newSession(storage));
      await storage.refreshTokens.create(record);
      expect(await storage.refreshTokens.rotate(record.id, "hash-0", "hash-1", at(10))).toBe(true);
      expect(await storage.refreshTokens.get(record.id)).toEqual({
        ...record,
        secretHash: "hash-1",
        previousSecretHash: "hash-0",
        rotatedAt: at(10),
      });
      // The replaced hash no longer rotates anything, and a failed rotation changes nothing.
      expect(await storage.refreshTokens.rotate(record.id, "hash-0", "hash-x", at(11))).toBe(false);
      expect((await storage.refreshTokens.get(record.id))?.secretHash).toBe("hash-1");
      expect(await storage.refreshTokens.rotate("no-such-family", "hash-0", "h", at(11))).toBe(
        false,
      );
    });

    it("lets exactly one of many concurrent rotations of one hash win", async () => {
      const storage = await makeStorage();
      const record = family(await newSession(storage));
      await storage.refreshTokens.create(record);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          storage.refreshTokens.rotate(record.id, "hash-0", `next-${i}`, at(5)),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await storage.refreshTokens.get(record.id))?.secretHash).toBe(`next-${winner}`);
    });

    it("deletes one family, and every family of the given sessions", async () => {
      const storage = await makeStorage();
      const first = await newSession(storage);
      const second = await newSession(storage);
      const third = await newSession(storage);
      const a = family(first);
      const b = family(first);
      const c = family(second);
      const d = family(third);
      for (const record of [a, b, c, d]) await storage.refreshTokens.create(record);
      await storage.refreshTokens.delete(a.id);
      expect(await storage.refreshTokens.get(a.id)).toBeNull();
      expect(await storage.refreshTokens.get(b.id)).not.toBeNull();
      await storage.refreshTokens.deleteBySessions([first.sessionId, second.sessionId]);
      expect(await storage.refreshTokens.get(b.id)).toBeNull();
      expect(await storage.refreshTokens.get(c.id)).toBeNull();
      expect(await storage.refreshTokens.get(d.id)).not.toBeNull();
      await storage.refreshTokens.deleteBySessions([]);
      expect(await storage.refreshTokens.get(d.id)).not.toBeNull();
    });

    it("deletes expired families only", async () => {
      const storage = await makeStorage();
      const owner = await newSession(storage);
      const expired = family(owner, { expiresAt: at(100) });
      const live = family(owner, { expiresAt: at(200) });
      await storage.refreshTokens.create(expired);
      await storage.refreshTokens.create(live);
      expect(await storage.refreshTokens.deleteExpired(at(150))).toBeGreaterThanOrEqual(1);
      expect(await storage.refreshTokens.get(expired.id)).toBeNull();
      expect(await storage.refreshTokens.get(live.id)).not.toBeNull();
    });

    it("deletes a user's families with the user", async () => {
      const storage = await makeStorage();
      const owner = await newSession(storage);
      const record = family(owner);
      await storage.refreshTokens.create(record);
      await storage.users.delete(owner.userId);
      expect(await storage.refreshTokens.get(record.id)).toBeNull();
    });
  });
}
