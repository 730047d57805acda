import type { OutboxRecord, OutboxStore } from "../ports.js";

export function memoryOutbox(): OutboxStore {
  const byId = new Map<string, OutboxRecord>();

  return {
    async enqueue(record) {
      byId.set(record.id, structuredClone(record));
    },
    async claimDue(now, leaseUntil, limit) {
      // No await between selecting and leasing: atomic within the process.
      const due = [...byId.values()]
        .filter((record) => record.deadAt === null && record.availableAt <= now)
        .sort((a, b) => a.availableAt.getTime() - b.availableAt.getTime())
        .slice(0, limit);
      for (const record of due) {
        record.availableAt = new Date(leaseUntil);
        record.attempts++;
      }
      return due.map((record) => structuredClone(record));
    },
    async markSent(id) {
      byId.delete(id);
    },
    async reschedule(id, availableAt, lastError) {
      const record = byId.get(id);
      if (!record) return;
      record.availableAt = new Date(availableAt);
      record.lastError = lastError;
    },
    async markDead(id, deadAt, lastError) {
      const record = byId.get(id);
      if (!record) return;
      record.deadAt = new Date(deadAt);
      record.lastError = lastError;
    },
    async listDead(limit) {
      return [...byId.values()]
        .filter((record) => record.deadAt !== null)
        .sort((a, b) => (b.deadAt?.getTime() ?? 0) - (a.deadAt?.getTime() ?? 0))
        .slice(0, limit)
        .map((record) => structuredClone(record));
    },
    async countPending() {
      let pending = 0;
      for (const record of byId.values()) if (record.deadAt === null) pending++;
      return pending;
    },
  };
}
