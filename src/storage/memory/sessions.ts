import type { User } from "../../types.js";
import type { SessionRecord, SessionStore } from "../ports.js";
import { isLive } from "../session-liveness.js";
import { copyFlat } from "./copy.js";

/**
 * `findUser` reads the users port of the same memory storage: given, the store answers
 * `getWithUser` (one call for the core, as a database's JOIN is); without it the method is absent.
 */
export function memorySessions(
  findUser?: (id: string) => Promise<User | null>,
): SessionStore & { deleteAllOf(userId: string): void } {
  const byId = new Map<string, SessionRecord>();

  function deleteByUser(userId: string, exceptId?: string): string[] {
    const deleted: string[] = [];
    for (const [id, session] of byId) {
      if (session.userId === userId && id !== exceptId) {
        byId.delete(id);
        deleted.push(id);
      }
    }
    return deleted;
  }

  const store: SessionStore & { deleteAllOf(userId: string): void } = {
    async create(session) {
      byId.set(session.id, copyFlat(session));
    },
    async get(id) {
      const session = byId.get(id);
      return session ? copyFlat(session) : null;
    },
    async updateExpiry(id, expiresAt) {
      const session = byId.get(id);
      if (session) session.expiresAt = new Date(expiresAt);
    },
    async delete(id) {
      byId.delete(id);
    },
    async deleteByUser(userId, exceptId) {
      return deleteByUser(userId, exceptId);
    },
    async listByUser(userId) {
      return [...byId.values()]
        .filter((session) => session.userId === userId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((session) => copyFlat(session));
    },
    async deleteExpired(now) {
      let count = 0;
      for (const [id, session] of byId) {
        if (!isLive(session, now)) {
          byId.delete(id);
          count++;
        }
      }
      return count;
    },
    async countLive(now) {
      let count = 0;
      for (const session of byId.values()) if (isLive(session, now)) count++;
      return count;
    },
    deleteAllOf(userId) {
      deleteByUser(userId);
    },
  };
  if (findUser) {
    // Through the port's own `get` (looked up at call time), so a test that replaces it to
    // simulate an outage sees this read fail as well, as a database's JOIN would.
    store.getWithUser = async (id) => {
      const session = await store.get(id);
      const user = session ? await findUser(session.userId) : null;
      return session && user ? { session, user } : null;
    };
  }
  return store;
}
