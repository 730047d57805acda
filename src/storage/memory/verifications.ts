import type { VerificationRecord, VerificationStore } from "../ports.js";

export function memoryVerifications(): VerificationStore & { deleteAllOf(userId: string): void } {
  const byId = new Map<string, VerificationRecord>();

  function deleteByUser(userId: string, purpose?: string): void {
    for (const [id, record] of byId) {
      if (record.userId === userId && (purpose === undefined || record.purpose === purpose)) {
        byId.delete(id);
      }
    }
  }

  return {
    async create(record) {
      byId.set(record.id, structuredClone(record));
    },
    async consume(id, purpose, now) {
      const record = byId.get(id);
      if (!record || record.purpose !== purpose) return null;
      // Deleted before anything else can run: a second consumer finds nothing.
      byId.delete(id);
      return record.expiresAt > now ? record : null;
    },
    async deleteByUser(userId, purpose) {
      deleteByUser(userId, purpose);
    },
    async deleteExpired(now) {
      let count = 0;
      for (const [id, record] of byId) {
        if (record.expiresAt <= now) {
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
