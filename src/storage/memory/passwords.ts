import type { PasswordStore } from "../ports.js";

export function memoryPasswords(hashes: Map<string, string>): PasswordStore {
  return {
    async get(userId) {
      return hashes.get(userId) ?? null;
    },
    async set(userId, hash) {
      hashes.set(userId, hash);
    },
    async replace(userId, expected, next) {
      if (hashes.get(userId) !== expected) return false;
      hashes.set(userId, next);
      return true;
    },
    async delete(userId) {
      hashes.delete(userId);
    },
  };
}
