import { describe, expect, it } from "vitest";
import type { Storage } from "../storage/ports.js";

/* The revocations port's contract: every adapter must pass it. */

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;
const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

export function revocationsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("revocations port", () => {
    it("lists revoked sessions until their entry expires", async () => {
      const storage = await makeStorage();
      const [a, b, other] = [unique("sid"), unique("sid"), unique("sid")];
      await storage.revocations.revokeSessions([a, b], at(100));
      expect(await storage.revocations.isSessionRevoked(a, at(50))).toBe(true);
      expect(await storage.revocations.isSessionRevoked(b, at(99))).toBe(true);
      expect(await storage.revocations.isSessionRevoked(other, at(50))).toBe(false);
      expect(await storage.revocations.isSessionRevoked(a, at(100))).toBe(false);
    });

    it("keeps the later expiry when a session is revoked twice", async () => {
      const storage = await makeStorage();
      const sid = unique("sid");
      await storage.revocations.revokeSessions([sid], at(200));
      await storage.revocations.revokeSessions([sid], at(100));
      expect(await storage.revocations.isSessionRevoked(sid, at(150))).toBe(true);
      await storage.revocations.revokeSessions([sid], at(300));
      expect(await storage.revocations.isSessionRevoked(sid, at(250))).toBe(true);
    });

    it("accepts an empty list", async () => {
      const storage = await makeStorage();
      await storage.revocations.revokeSessions([], at(100));
    });

    it("deletes expired entries only", async () => {
      const storage = await makeStorage();
      const [old, recent] = [unique("sid"), unique("sid")];
      await storage.revocations.revokeSessions([old], at(100));
      await storage.revocations.revokeSessions([recent], at(300));
      expect(await storage.revocations.deleteExpired(at(200))).toBeGreaterThanOrEqual(1);
      expect(await storage.revocations.isSessionRevoked(old, at(50))).toBe(false);
      expect(await storage.revocations.isSessionRevoked(recent, at(200))).toBe(true);
    });
  });
}
