import type { AuthContext } from "../context/context.js";
import { endSession, endSessionByToken } from "../sessions/sessions.js";
import { verifyOwnAccessToken } from "./access-token.js";
import { revokeRefreshToken } from "./grants.js";
import { looksLikeJwt } from "./jwt-shape.js";

/**
 * RFC 7009 revocation, for any token we issue; unknown, invalid and expired tokens are ignored
 * (the endpoint answers 200 for them too, so it reveals nothing).
 *
 * Every token stands for a session, and revoking it ends that session: a refresh token takes its
 * family, its session and that session's access tokens with it (RFC 7009 §2.1 "SHOULD"); an
 * access token ends its session (an access token cannot be revoked alone: the revocation list
 * is per session, which keeps it small and the check one lookup); a session token ends its session.
 */
export async function revokeToken(ctx: AuthContext, token: string): Promise<void> {
  if (looksLikeJwt(token)) {
    const claims = await verifyOwnAccessToken(ctx, token).catch(() => null);
    if (claims) await endSession(ctx, claims.sid);
    return;
  }
  if (await revokeRefreshToken(ctx, token)) return;
  await endSessionByToken(ctx, token);
}
