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
}

export function toPublicPasskey(record: PasskeyRecord): Passkey {
  const { id, name, transports, deviceType, backedUp, createdAt, lastUsedAt } = record;
  return { id, name, transports, deviceType, backedUp, createdAt, lastUsedAt };
}
