import type { Session } from "../types.js";

/**
 * The one rule for "is this session live": at `now` it has reached neither its sliding expiry
 * nor its absolute lifetime (both exclusive: a session expiring at `now` is over). Everything in
 * the core that decides whether a session counts (cookie validation, access tokens, refresh
 * grants, `checkRevocation`, the session list) and the memory store's purge ask this. It sits
 * beside the ports, below `sessions/`, so stores can share it; stores that express it in their
 * own language mirror it exactly: SQL's `deleteExpired` deletes `expires_at <= now OR
 * absolute_expires_at <= now`, and Redis gives each session key a TTL to the earlier of the two.
 */
export function isLive(
  session: Pick<Session, "expiresAt" | "absoluteExpiresAt">,
  now: Date,
): boolean {
  const at = now.getTime();
  return at < session.expiresAt.getTime() && at < session.absoluteExpiresAt.getTime();
}
