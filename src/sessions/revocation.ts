import type { AuthContext } from "../context/context.js";

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

export function isSessionRevoked(ctx: AuthContext, sessionId: string): Promise<boolean> {
  return ctx.storage.revocations.isSessionRevoked(sessionId, ctx.now());
}
