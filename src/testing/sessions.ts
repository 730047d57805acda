import { describe, expect, it } from "vitest";
import type { Storage } from "../storage/ports.js";
import { at, createdUser, sessionRecord, unique } from "./fixtures.js";

/**
 * The sessions port's contract: round trip, sliding expiry, per-user listing and revocation, and
 * the optional `getWithUser` join.
 */
export function sessionsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("sessions port", () => {
    it("stores a session and reads it back with every field intact", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const session = sessionRecord(user.id);
      const bare = sessionRecord(user.id, { ip: null, userAgent: null });
      await storage.sessions.create(session);
      await storage.sessions.create(bare);
      expect(await storage.sessions.get(session.id)).toEqual(session);
      expect(await storage.sessions.get(bare.id)).toEqual(bare);
      expect(await storage.sessions.get(unique("missing"))).toBeNull();
    });

    it("moves the expiry forward and deletes one session", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const session = sessionRecord(user.id);
      await storage.sessions.create(session);
      await storage.sessions.updateExpiry(session.id, at(7200));
      expect(await storage.sessions.get(session.id)).toEqual({ ...session, expiresAt: at(7200) });
      await storage.sessions.delete(session.id);
      expect(await storage.sessions.get(session.id)).toBeNull();
      // Unknown ids are not an error.
      await storage.sessions.delete(session.id);
      await storage.sessions.updateExpiry(unique("missing"), at(7200));
    });

    it("lists a user's sessions newest first, and nobody else's", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const oldest = sessionRecord(user.id, { createdAt: at(10) });
      const newest = sessionRecord(user.id, { createdAt: at(30) });
      const middle = sessionRecord(user.id, { createdAt: at(20) });
      for (const session of [oldest, newest, middle]) await storage.sessions.create(session);
      await storage.sessions.create(sessionRecord(other.id));
      const listed = await storage.sessions.listByUser(user.id);
      expect(listed.map((session) => session.id)).toEqual([newest.id, middle.id, oldest.id]);
      expect(listed[0]).toEqual(newest);
      expect(await storage.sessions.listByUser(unique("nobody"))).toEqual([]);
    });

    it("deletes a user's sessions but one, returning what it deleted", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const keep = sessionRecord(user.id);
      const a = sessionRecord(user.id);
      const b = sessionRecord(user.id);
      const bystander = sessionRecord(other.id);
      for (const session of [keep, a, b, bystander]) await storage.sessions.create(session);
      const deleted = await storage.sessions.deleteByUser(user.id, keep.id);
      expect([...deleted].sort()).toEqual([a.id, b.id].sort());
      expect(await storage.sessions.get(keep.id)).not.toBeNull();
      expect(await storage.sessions.get(a.id)).toBeNull();
      expect(await storage.sessions.get(bystander.id)).not.toBeNull();
      expect(await storage.sessions.deleteByUser(user.id)).toEqual([keep.id]);
      expect(await storage.sessions.listByUser(user.id)).toEqual([]);
      expect(await storage.sessions.deleteByUser(user.id)).toEqual([]);
    });

    it("getWithUser, where a store has it, returns exactly what get and users.findById do", async () => {
      const storage = await makeStorage();
      const getWithUser = storage.sessions.getWithUser?.bind(storage.sessions);
      // Optional: a store without users (Redis) leaves it out, and the core makes two calls.
      if (!getWithUser) return;
      const user = await createdUser(storage, {
        name: "Ada é ✓",
        emailVerified: true,
        metadata: { plan: "pro", tags: ["a", "é ✓"], nested: { n: 1, off: false, none: null } },
      });
      const live = sessionRecord(user.id);
      const bare = sessionRecord(user.id, { ip: null, userAgent: null });
      const expired = sessionRecord(user.id, {
        createdAt: at(-100),
        expiresAt: at(-10),
        absoluteExpiresAt: at(-5),
      });
      for (const session of [live, bare, expired]) await storage.sessions.create(session);
      for (const session of [live, bare, expired]) {
        const separate = await storage.sessions.get(session.id);
        const joined = await getWithUser(session.id);
        if (!separate) {
          // Only a store that drops expired sessions by itself (a TTL) may have lost one.
          expect(session).toBe(expired);
          expect(joined).toBeNull();
          continue;
        }
        expect(joined).toEqual({
          session: separate,
          user: await storage.users.findById(user.id),
        });
      }
      expect(await getWithUser(live.id)).toEqual({ session: live, user });
      // Fresh like findById: an update of the user shows in the next join.
      const updated = await storage.users.update(user.id, {
        name: null,
        metadata: { plan: "team" },
        updatedAt: at(45),
      });
      expect(updated?.metadata).toEqual({ plan: "team" });
      expect(await getWithUser(live.id)).toEqual({ session: live, user: updated });
      // The disabled mark too: the guard refuses a disabled user from this one read.
      const disabled = await storage.users.update(user.id, {
        disabledAt: at(50),
        updatedAt: at(50),
      });
      expect(disabled?.disabledAt).toEqual(at(50));
      expect(await getWithUser(live.id)).toEqual({ session: live, user: disabled });
      expect(await getWithUser(unique("missing"))).toBeNull();
      // A session whose user is gone comes back as null too (in one database, the delete cascades).
      await storage.users.delete(user.id);
      expect(await getWithUser(live.id)).toBeNull();
    });

    it("countLive, where a store has it, counts exactly the sessions isLive counts", async () => {
      const storage = await makeStorage();
      const countLive = storage.sessions.countLive?.bind(storage.sessions);
      // Optional: a store that would have to visit every session (Redis) leaves it out.
      if (!countLive) return;
      const user = await createdUser(storage);
      const now = at(1000);
      // Other tests share the store: only the difference made here is looked at.
      const before = await countLive(now);
      const sessions = [
        sessionRecord(user.id, { expiresAt: at(5000), absoluteExpiresAt: at(9000) }),
        sessionRecord(user.id, { expiresAt: at(1001), absoluteExpiresAt: at(9000) }),
        sessionRecord(user.id, { expiresAt: at(1000), absoluteExpiresAt: at(9000) }),
        sessionRecord(user.id, { expiresAt: at(5000), absoluteExpiresAt: at(1000) }),
        sessionRecord(user.id, { expiresAt: at(10), absoluteExpiresAt: at(20) }),
      ];
      for (const session of sessions) await storage.sessions.create(session);
      // Both expiries are exclusive: a session expiring at `now` is over.
      expect((await countLive(now)) - before).toBe(2);
      await storage.sessions.deleteByUser(user.id);
      expect(await countLive(now)).toBe(before);
    });

    it("deleteExpired leaves live sessions, and expired ones are never handed out as live", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const idle = sessionRecord(user.id, { expiresAt: at(100) });
      const ended = sessionRecord(user.id, { expiresAt: at(5000), absoluteExpiresAt: at(150) });
      const live = sessionRecord(user.id, { expiresAt: at(5000), absoluteExpiresAt: at(9000) });
      for (const session of [idle, ended, live]) await storage.sessions.create(session);
      const count = await storage.sessions.deleteExpired(at(200));
      expect(count).toBeGreaterThanOrEqual(0);
      expect(await storage.sessions.get(live.id)).toEqual(live);
      // A store may drop expired sessions by itself (a TTL) rather than here; either way what it
      // still returns carries its expiry, and the core refuses it.
      for (const session of [idle, ended]) {
        const found = await storage.sessions.get(session.id);
        if (found)
          expect(found.expiresAt <= at(200) || found.absoluteExpiresAt <= at(200)).toBe(true);
      }
    });
  });
}
