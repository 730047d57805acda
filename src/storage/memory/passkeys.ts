import type { PasskeyRecord, PasskeyStore } from "../ports.js";

/*
 * Every method runs without an await between its read and its write, so each is atomic within
 * the process: that is what makes `create`, `recordUse` and `delete` with `keepLast` safe here.
 */
export function memoryPasskeys(): PasskeyStore & { deleteAllOf(userId: string): void } {
  const byId = new Map<string, PasskeyRecord>();

  function ofUser(userId: string): PasskeyRecord[] {
    return [...byId.values()]
      .filter((passkey) => passkey.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  return {
    async create(passkey) {
      if (byId.has(passkey.id)) return false;
      byId.set(passkey.id, structuredClone(passkey));
      return true;
    },
    async findById(id) {
      const passkey = byId.get(id);
      return passkey ? structuredClone(passkey) : null;
    },
    async listByUser(userId) {
      return ofUser(userId).map((passkey) => structuredClone(passkey));
    },
    async recordUse(id, use) {
      const passkey = byId.get(id);
      if (!passkey) return false;
      const advances =
        use.counter > passkey.counter || (use.counter === 0 && passkey.counter === 0);
      if (!advances) return false;
      byId.set(id, {
        ...passkey,
        counter: use.counter,
        backedUp: use.backedUp,
        lastUsedAt: use.usedAt,
      });
      return true;
    },
    async rename(userId, id, name) {
      const passkey = byId.get(id);
      if (!passkey || passkey.userId !== userId) return null;
      const renamed = { ...passkey, name };
      byId.set(id, renamed);
      return structuredClone(renamed);
    },
    async delete(userId, id, options = {}) {
      const passkey = byId.get(id);
      if (!passkey || passkey.userId !== userId) return "not_found";
      if (options.keepLast && ofUser(userId).length <= 1) return "last";
      byId.delete(id);
      return "deleted";
    },
    async deleteByUser(userId) {
      const mine = ofUser(userId);
      for (const passkey of mine) byId.delete(passkey.id);
      return mine.length;
    },
    deleteAllOf(userId) {
      for (const passkey of ofUser(userId)) byId.delete(passkey.id);
    },
  };
}
