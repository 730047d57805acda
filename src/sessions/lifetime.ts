import type { AuthContext } from "../context/context.js";
import type { SessionRecord } from "../storage/ports.js";
import type { Session } from "../types.js";

export { isLive } from "../storage/session-liveness.js";

/** The options the slide rule reads, in seconds (`config.session`). */
export interface SlideOptions {
  maxAge: number;
  updateAge: number;
}

/**
 * The one sliding-expiry rule: use at `now` moves the expiry to `now + maxAge`, never past the
 * absolute lifetime, and at most once per `updateAge` (only once less than `maxAge - updateAge`
 * is left), so an active session does not write on every request. Returns the new expiry, or
 * null when no write is due (too soon, or the expiry already sits at the absolute lifetime).
 */
export function slideTarget(
  session: Pick<Session, "expiresAt" | "absoluteExpiresAt">,
  now: Date,
  { maxAge, updateAge }: SlideOptions,
): Date | null {
  const at = now.getTime();
  if (at < session.expiresAt.getTime() - (maxAge - updateAge) * 1000) return null;
  const expiresAt = Math.min(at + maxAge * 1000, session.absoluteExpiresAt.getTime());
  return expiresAt > session.expiresAt.getTime() ? new Date(expiresAt) : null;
}

/**
 * Applies `slideTarget` to a live session used at `now`: every place that counts as activity
 * (a cookie request, a refresh grant) slides through here. Returns the session as it now stands.
 */
export async function slideSession(
  ctx: AuthContext,
  record: SessionRecord,
  now: Date = ctx.now(),
): Promise<SessionRecord> {
  const expiresAt = slideTarget(record, now, ctx.config.session);
  if (!expiresAt) return record;
  await ctx.storage.sessions.updateExpiry(record.id, expiresAt);
  return { ...record, expiresAt };
}
