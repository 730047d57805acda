import type { SessionRecord, SessionStore } from "../ports.js";
import { copyFlat } from "./copy.js";

export function memorySessions(): SessionStore & { deleteAllOf(userId: string): void } {
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

  return {
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
        if (session.expiresAt <= now || session.absoluteExpiresAt <= now) {
          byId.delete(id);
          count++;
        }
      }
      return count;
    },
    deleteAllOf(userId) {
      deleteByUser(userId);
    },
  };
}
