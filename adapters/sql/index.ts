import type { Storage } from "../../src/storage/ports.js";
import { sqlAccounts } from "./accounts.js";
import { sqlAudit } from "./audit.js";
import type { SqlDriver } from "./driver.js";
import { sqlMfa } from "./mfa.js";
import { sqlOutbox } from "./outbox.js";
import { sqlPasskeys } from "./passkeys.js";
import { sqlPasswords } from "./passwords.js";
import { sqlRateLimits } from "./rate-limits.js";
import { sqlRefreshTokens } from "./refresh-tokens.js";
import { sqlRevocations } from "./revocations.js";
import { sqlSessions } from "./sessions.js";
import type { TableNames } from "./tables.js";
import { sqlUsers } from "./users.js";
import { sqlVerifications } from "./verifications.js";

export interface SqlStorageOptions {
  tables: TableNames;
  /** Where reads that may lag go (a read replica); the primary otherwise. */
  reads?: SqlDriver;
}

/** Every port over one SQL database. Each dialect's adapter supplies the driver. */
export function sqlStorage(db: SqlDriver, { tables, reads = db }: SqlStorageOptions): Storage {
  return {
    users: sqlUsers(db, tables, reads),
    passwords: sqlPasswords(db, tables),
    sessions: sqlSessions(db, tables, reads),
    verifications: sqlVerifications(db, tables),
    rateLimits: sqlRateLimits(db, tables),
    passkeys: sqlPasskeys(db, tables),
    outbox: sqlOutbox(db, tables),
    refreshTokens: sqlRefreshTokens(db, tables),
    revocations: sqlRevocations(db, tables),
    audit: sqlAudit(db, tables, reads),
    mfa: sqlMfa(db, tables),
    accounts: sqlAccounts(db, tables),
  };
}

export type { Dialect, SqlDriver, SqlStatement, SqlValue } from "./driver.js";
export { type Migration, migrations, schemaSql } from "./migrations.js";
export { type TableNames, tableNames } from "./tables.js";
