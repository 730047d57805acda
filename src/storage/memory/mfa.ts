import type { MfaRecord, MfaStore } from "../ports.js";

const copy = (record: MfaRecord): MfaRecord => ({
  ...record,
  enabledAt: record.enabledAt && new Date(record.enabledAt.getTime()),
  updatedAt: new Date(record.updatedAt.getTime()),
  recoveryCodes: [...record.recoveryCodes],
});

/*
 * Every method runs without an await between its read and its write, so each is atomic within
 * the process: that is what makes `enable`, `recordStep` and `consumeRecoveryCode` safe here.
 */
export function memoryMfa(): MfaStore & { deleteAllOf(userId: string): void } {
  const byUser = new Map<string, MfaRecord>();

  return {
    async get(userId) {
      const record = byUser.get(userId);
      return record ? copy(record) : null;
    },
    async setPendingSecret(userId, pendingSecret, now) {
      const record = byUser.get(userId);
      byUser.set(
        userId,
        record
          ? { ...record, pendingSecret, updatedAt: now }
          : {
              userId,
              totpSecret: null,
              enabledAt: null,
              lastUsedStep: 0,
              pendingSecret,
              recoveryCodes: [],
              updatedAt: now,
            },
      );
    },
    async enable(userId, change) {
      const record = byUser.get(userId);
      if (!record || record.pendingSecret !== change.pendingSecret) return false;
      byUser.set(userId, {
        ...record,
        totpSecret: change.pendingSecret,
        pendingSecret: null,
        enabledAt: change.enabledAt,
        lastUsedStep: change.lastUsedStep,
        recoveryCodes: [...change.recoveryCodes],
        updatedAt: change.enabledAt,
      });
      return true;
    },
    async recordStep(userId, step, now) {
      const record = byUser.get(userId);
      if (!record?.totpSecret || step <= record.lastUsedStep) return false;
      byUser.set(userId, { ...record, lastUsedStep: step, updatedAt: now });
      return true;
    },
    async consumeRecoveryCode(userId, codeHash, now) {
      const record = byUser.get(userId);
      if (!record?.totpSecret || !record.recoveryCodes.includes(codeHash)) return null;
      const recoveryCodes = record.recoveryCodes.filter((hash) => hash !== codeHash);
      byUser.set(userId, { ...record, recoveryCodes, updatedAt: now });
      return recoveryCodes.length;
    },
    async replaceRecoveryCodes(userId, codeHashes, now) {
      const record = byUser.get(userId);
      if (!record?.totpSecret) return false;
      byUser.set(userId, { ...record, recoveryCodes: [...codeHashes], updatedAt: now });
      return true;
    },
    async delete(userId) {
      const record = byUser.get(userId);
      byUser.delete(userId);
      return Boolean(record?.totpSecret);
    },
    deleteAllOf(userId) {
      byUser.delete(userId);
    },
  };
}
