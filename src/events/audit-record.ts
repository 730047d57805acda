import type { AuditRecord } from "../storage/ports.js";
import type { AuthEvent } from "./events.js";

/*
 * An event as the audit log keeps it, and back. The common fields become the record's columns
 * (what the log is filtered on); the type-specific ones go, as they are, into `data`.
 */

export function toAuditRecord(event: AuthEvent): AuditRecord {
  const { id, type, at, userId, ip, userAgent, ...data } = event;
  return {
    id,
    type,
    at: new Date(at),
    userId: userId ?? null,
    ip: ip ?? null,
    userAgent: userAgent ?? null,
    data,
  };
}

/**
 * The event a record was made from, in the shape listeners get: `at` as an ISO string, the
 * absent `userId`, `ip` and `userAgent` left out, the type-specific fields spread back. A
 * `data` key that names a common field (a record written by hand) is dropped: the columns win.
 */
export function fromAuditRecord(record: AuditRecord): AuthEvent {
  const {
    id: _id,
    type: _type,
    at: _at,
    userId: _u,
    ip: _i,
    userAgent: _a,
    ...fields
  } = record.data;
  return {
    ...fields,
    id: record.id,
    type: record.type,
    at: record.at.toISOString(),
    ...(record.userId !== null ? { userId: record.userId } : {}),
    ...(record.ip !== null ? { ip: record.ip } : {}),
    ...(record.userAgent !== null ? { userAgent: record.userAgent } : {}),
  } as AuthEvent;
}
