import type { PasskeyRecord } from "../storage/ports.js";

/** A passkey as the library hands it out: no key material, no counter. */
export interface Passkey {
  id: string;
  name: string | null;
  transports: string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  /**
   * Where the passkey was added from (address and browser, as the request said), so the owner
   * can spot one they did not add, e.g. by a session that a password reset later ended.
   */
  createdFrom: { ip: string | null; userAgent: string | null };
}

export function toPublicPasskey(record: PasskeyRecord): Passkey {
  const { id, name, transports, deviceType, backedUp, createdAt, lastUsedAt } = record;
  const createdFrom = { ip: record.createdIp ?? null, userAgent: record.createdUserAgent ?? null };
  return { id, name, transports, deviceType, backedUp, createdAt, lastUsedAt, createdFrom };
}
