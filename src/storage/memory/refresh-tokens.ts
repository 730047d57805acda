import type { RefreshFamilyRecord, RefreshTokenStore } from "../ports.js";

export function memoryRefreshTokens(): RefreshTokenStore & { deleteAllOf(userId: string): void } {
  const byId = new Map<string, RefreshFamilyRecord>();

  return {
    async create(family) {
      byId.set(family.id, structuredClone(family));
    },
    async get(id) {
      const family = byId.get(id);
      return family ? structuredClone(family) : null;
    },
    async rotate(id, expectedHash, nextHash, now) {
      const family = byId.get(id);
      // Check and write run without an await between them: atomic within the process.
      if (!family || family.secretHash !== expectedHash) return false;
      family.previousSecretHash = family.secretHash;
      family.secretHash = nextHash;
      family.rotatedAt = new Date(now);
      return true;
    },
    async delete(id) {
      byId.delete(id);
    },
    async deleteBySessions(sessionIds) {
      const ids = new Set(sessionIds);
      for (const [id, family] of byId) if (ids.has(family.sessionId)) byId.delete(id);
    },
    async deleteExpired(now) {
      let count = 0;
      for (const [id, family] of byId) {
        if (family.expiresAt <= now) {
          byId.delete(id);
          count++;
        }
      }
      return count;
    },
    deleteAllOf(userId) {
      for (const [id, family] of byId) if (family.userId === userId) byId.delete(id);
    },
  };
}
