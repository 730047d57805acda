import { base64urlDecode, base64urlEncode } from "../crypto/base64url.js";
import { AuthError } from "../errors.js";

/*
 * The audit log's page cursor, shared by the stores that keep a sequence number per record (the
 * memory store and SQL): the position of the last record handed out, as its `at` (milliseconds)
 * and the store's own append sequence, which orders records of one `at`. Keyset paging from it
 * is stable however many records are appended meanwhile. Opaque to callers: base64url text.
 */

export interface AuditPosition {
  /** The record's `at`, in milliseconds since the epoch. */
  at: number;
  /** The store's append sequence: later appends have larger numbers. */
  seq: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const POSITION = /^(-?\d{1,16})\.(\d{1,16})$/;

export function encodeAuditCursor(position: AuditPosition): string {
  return base64urlEncode(encoder.encode(`${position.at}.${position.seq}`));
}

/** Throws `invalid_request` for anything `encodeAuditCursor` did not make. */
export function decodeAuditCursor(cursor: string): AuditPosition {
  const bytes = cursor.length <= 64 ? base64urlDecode(cursor) : null;
  const match = bytes ? POSITION.exec(decoder.decode(bytes)) : null;
  const at = Number(match?.[1]);
  const seq = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(at) || !Number.isSafeInteger(seq)) {
    throw new AuthError("invalid_request", "cursor is not a cursor of this audit log");
  }
  return { at, seq };
}

/** Whether `a` comes before `b` in the log's order: newest `at` first, then latest appended. */
export function isBefore(a: AuditPosition, b: AuditPosition): boolean {
  return a.at > b.at || (a.at === b.at && a.seq > b.seq);
}
