import { ConfigError } from "../../src/config-error.js";
/** The names of the tables, qualified by a schema where the dialect has one. */
export interface TableNames {
  migrations: string;
  users: string;
  passwords: string;
  sessions: string;
  verifications: string;
  rateLimits: string;
  passkeys: string;
  outbox: string;
  refreshFamilies: string;
  revocations: string;
  audit: string;
  mfa: string;
  accounts: string;
}

const BASE: TableNames = {
  migrations: "portcullis_migrations",
  users: "portcullis_users",
  passwords: "portcullis_passwords",
  sessions: "portcullis_sessions",
  verifications: "portcullis_verifications",
  rateLimits: "portcullis_rate_limits",
  passkeys: "portcullis_passkeys",
  outbox: "portcullis_outbox",
  refreshFamilies: "portcullis_refresh_families",
  revocations: "portcullis_revocations",
  audit: "portcullis_audit_events",
  mfa: "portcullis_mfa",
  accounts: "portcullis_oauth_accounts",
};

/** A schema name we are willing to paste into SQL: letters, digits and underscores. */
export function assertIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError(`"${name}" is not a plain SQL identifier (letters, digits, _)`);
  }
  return name;
}

export function tableNames(schema?: string): TableNames {
  if (schema === undefined) return { ...BASE };
  const prefix = `"${assertIdentifier(schema)}".`;
  return Object.fromEntries(
    Object.entries(BASE).map(([key, name]) => [key, `${prefix}${name}`]),
  ) as unknown as TableNames;
}
