import type { LinkedAccountRecord, LinkedAccountStore } from "../ports.js";
import { copyFlat } from "./copy.js";

/*
 * Linked identities in memory. Every method runs without an await between its read and its
 * write, so `create` (unique provider and subject) and `delete` with `keepLast` are atomic
 * within the process.
 */
export function memoryAccounts(): LinkedAccountStore & { deleteAllOf(userId: string): void } {
  const byId = new Map<string, LinkedAccountRecord>();
  /** `provider` and `subject`, joined by a character neither can hold unnoticed. */
  const identityKey = (provider: string, subject: string) => JSON.stringify([provider, subject]);
  const idByIdentity = new Map<string, string>();

  const ofUser = (userId: string) =>
    [...byId.values()]
      .filter((account) => account.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

  function remove(account: LinkedAccountRecord): void {
    byId.delete(account.id);
    idByIdentity.delete(identityKey(account.provider, account.subject));
  }

  return {
    async create(account) {
      const key = identityKey(account.provider, account.subject);
      if (idByIdentity.has(key) || byId.has(account.id)) return false;
      byId.set(account.id, copyFlat(account));
      idByIdentity.set(key, account.id);
      return true;
    },
    async find(provider, subject) {
      const id = idByIdentity.get(identityKey(provider, subject));
      const account = id === undefined ? undefined : byId.get(id);
      return account ? copyFlat(account) : null;
    },
    async listByUser(userId) {
      return ofUser(userId).map(copyFlat);
    },
    async setTokens(userId, id, tokens) {
      const account = byId.get(id);
      if (account && account.userId === userId) byId.set(id, { ...account, tokens });
    },
    async delete(userId, id, options = {}) {
      const account = byId.get(id);
      if (!account || account.userId !== userId) return "not_found";
      if (options.keepLast && ofUser(userId).length <= 1) return "last";
      remove(account);
      return "deleted";
    },
    async deleteByUser(userId) {
      const mine = ofUser(userId);
      for (const account of mine) remove(account);
      return mine.length;
    },
    deleteAllOf(userId) {
      for (const account of ofUser(userId)) remove(account);
    },
  };
}
