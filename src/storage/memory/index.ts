import type { Storage } from "../ports.js";
import { memoryAccounts } from "./accounts.js";
import { memoryAudit } from "./audit.js";
import { memoryMfa } from "./mfa.js";
import { memoryOutbox } from "./outbox.js";
import { memoryPasskeys } from "./passkeys.js";
import { memoryPasswords } from "./passwords.js";
import { memoryRateLimits } from "./rate-limits.js";
import { memoryRefreshTokens } from "./refresh-tokens.js";
import { memoryRevocations } from "./revocations.js";
import { memorySessions } from "./sessions.js";
import { memoryUsers } from "./users.js";
import { memoryVerifications } from "./verifications.js";

/**
 * Every port in this process's memory: for tests and trying things out. It is a real store
 * (uniqueness, expiry, atomic consume), but it forgets everything when the process ends and is
 * not shared between processes.
 */
export function memoryStorage(): Storage {
  const passwordHashes = new Map<string, string>();
  // `getWithUser` joins with this storage's own users, found at each read (so a test that
  // replaces `users.findById` is honoured); swap `users` for another store and swap `sessions` too.
  const sessions = memorySessions((id) => users.findById(id));
  const verifications = memoryVerifications();
  const passkeys = memoryPasskeys();
  const refreshTokens = memoryRefreshTokens();
  const mfa = memoryMfa();
  const accounts = memoryAccounts();
  const users = memoryUsers(
    (userId, credentials) => {
      if (credentials.passwordHash !== undefined)
        passwordHashes.set(userId, credentials.passwordHash);
    },
    (userId) => {
      passwordHashes.delete(userId);
      sessions.deleteAllOf(userId);
      verifications.deleteAllOf(userId);
      passkeys.deleteAllOf(userId);
      refreshTokens.deleteAllOf(userId);
      mfa.deleteAllOf(userId);
      accounts.deleteAllOf(userId);
    },
  );
  return {
    users,
    passwords: memoryPasswords(passwordHashes),
    sessions,
    verifications,
    rateLimits: memoryRateLimits(),
    passkeys,
    outbox: memoryOutbox(),
    refreshTokens,
    revocations: memoryRevocations(),
    // Not emptied by deleting a user: audit records outlive the account (see AuditStore).
    audit: memoryAudit(),
    mfa,
    accounts,
  };
}
