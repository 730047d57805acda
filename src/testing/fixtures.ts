import type { NewUser, SessionRecord, Storage } from "../storage/ports.js";

/*
 * Shared by the core ports' contracts. Adapters may keep one database for a whole run, so every
 * test makes its own users, sessions and keys with unique names and looks only at those.
 */

let sequence = 0;

/** Unique across runs too: a database left over from an earlier run never collides. */
export function unique(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${random}-${++sequence}`;
}

export const T0 = Date.UTC(2026, 0, 1);
export const at = (seconds: number) => new Date(T0 + seconds * 1000);

export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = unique("user");
  return {
    id,
    email: `${id}@example.com`,
    emailVerified: false,
    name: null,
    createdAt: at(0),
    ...overrides,
  };
}

export async function createdUser(storage: Storage, overrides: Partial<NewUser> = {}) {
  return storage.users.create(newUser(overrides), { passwordHash: "$test$hash-0" });
}

export function sessionRecord(
  userId: string,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id: unique("session"),
    secretHash: "c2VjcmV0LWhhc2gtb2YtdGhlLXNlc3Npb24tdG9rZW4",
    userId,
    createdAt: at(0),
    expiresAt: at(3600),
    absoluteExpiresAt: at(86_400),
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0 (contract test) é ✓",
    ...overrides,
  };
}
