import type { Storage } from "../storage/ports.js";
import { accountsContract } from "./accounts.js";
import { auditContract } from "./audit.js";
import { invalidationContract } from "./invalidation.js";
import { mfaContract } from "./mfa.js";
import { outboxContract } from "./outbox.js";
import { passkeysContract } from "./passkeys.js";
import { passwordsContract } from "./passwords.js";
import { rateLimitsContract } from "./rate-limits.js";
import { refreshTokensContract } from "./refresh-tokens.js";
import { revocationsContract } from "./revocations.js";
import { sessionsContract } from "./sessions.js";
import { usersContract } from "./users.js";
import { verificationsContract } from "./verifications.js";

/**
 * `portcullis/testing`: the storage conformance suite. Call it inside a vitest test file with a
 * function that returns the storage under test; every port's contract runs against it.
 *
 *   import { testStorage } from "portcullis/testing";
 *   testStorage(() => myStorage);
 *
 * `makeStorage` is called by every test: return one shared instance or a fresh one, as is
 * cheaper. Tests create uniquely named records and look only at their own, so a shared database
 * is fine. `skip` leaves out ports the storage does not provide (a Redis-only store, say).
 */
export type StoragePortName = keyof Storage;

const CONTRACTS: Record<StoragePortName, (makeStorage: () => Promise<Storage> | Storage) => void> =
  {
    users: usersContract,
    passwords: passwordsContract,
    sessions: sessionsContract,
    verifications: verificationsContract,
    rateLimits: rateLimitsContract,
    passkeys: passkeysContract,
    outbox: outboxContract,
    refreshTokens: refreshTokensContract,
    revocations: revocationsContract,
    audit: auditContract,
    mfa: mfaContract,
    accounts: accountsContract,
    invalidation: invalidationContract,
  };

export interface TestStorageOptions {
  skip?: StoragePortName[];
}

export function testStorage(
  makeStorage: () => Promise<Storage> | Storage,
  options: TestStorageOptions = {},
): void {
  for (const [port, contract] of Object.entries(CONTRACTS)) {
    if (options.skip?.includes(port as StoragePortName)) continue;
    contract(makeStorage);
  }
}

export {
  accountsContract,
  auditContract,
  invalidationContract,
  mfaContract,
  outboxContract,
  passkeysContract,
  passwordsContract,
  rateLimitsContract,
  refreshTokensContract,
  revocationsContract,
  sessionsContract,
  usersContract,
  verificationsContract,
};
