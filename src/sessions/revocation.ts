import type { AuthContext } from "../context/context.js";
import { isLive } from "../storage/session-liveness.js";

/*
 * How ending a session reaches the tokens minted for it. Refresh families bound to the session
 * are deleted, so it can mint nothing more; access tokens already out cannot be recalled, so the
 * session is listed as revoked for as long as any of them could still verify.
 */

/**
 * Called by `endSession` (before deleting the session, so a failure leaves it intact to retry)
 * and by `revokeUserSessions` (after, with the ids the store actually deleted). Within this
 * library a deleted session already fails every token naming it; the list is for services that
 * verify tokens without the session store.
 */
export async function revokeSessionTokens(
  ctx: AuthContext,
  sessionIds: readonly string[],
): Promise<void> {
  if (sessionIds.length === 0) return;
  const { accessTokenTTL, clockTolerance } = ctx.config.tokens;
  // Any access token of these sessions was issued before now, so it verifies until at most
  // now + TTL (+ the tolerance verifiers grant on `exp`): the entry need not outlive that.
  const until = new Date(ctx.now().getTime() + (accessTokenTTL + clockTolerance) * 1000);
  await ctx.storage.revocations.revokeSessions([...sessionIds], until);
  await ctx.storage.refreshTokens.deleteBySessions([...sessionIds]);
}

/**
 * Whether access tokens naming `sessionId` must be refused (`verifyAccessToken` with
 * `checkRevocation`): the session is on the revocation list, or it is not live here: ended,
 * deleted, or expired. Fails closed: an expired session is never put on the list (reading it
 * writes nothing), so its liveness is what refuses its tokens, and a session that is gone
 * counts as revoked. Services without the session store see only the list; for them a
 * naturally expired session's tokens end with their own short `exp`.
 */
export async function isSessionRevoked(ctx: AuthContext, sessionId: string): Promise<boolean> {
  const now = ctx.now();
  const [listed, record] = await Promise.all([
    ctx.storage.revocations.isSessionRevoked(sessionId, now),
    ctx.storage.sessions.get(sessionId),
  ]);
  return listed || !record || !isLive(record, now);
}
