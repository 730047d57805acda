import type { AuthContext } from "../context/context.js";
import { isAuthError } from "../errors.js";
import { findLiveSessionWithUser, toPublicSession } from "../sessions/sessions.js";
import type { AuthResult } from "../types.js";
import { verifyOwnAccessToken } from "./access-token.js";

/**
 * The user and session behind an access JWT, or null. The signature and claims are checked
 * locally; then the session named by `sid` is loaded, which is the revocation check: a token of
 * a session that was ended (logout, revocation, password change or reset) fails here at once,
 * not when it expires, and so does one that is no longer live. It reads, in one storage call
 * when the sessions port joins the user (`getWithUser`), and never writes (no slide: only
 * cookie requests and refreshes are activity). Storage failures propagate (the caller fails
 * closed).
 */
export async function authenticateAccessToken(
  ctx: AuthContext,
  token: string,
): Promise<AuthResult | null> {
  let claims: Awaited<ReturnType<typeof verifyOwnAccessToken>>;
  try {
    claims = await verifyOwnAccessToken(ctx, token);
  } catch (error) {
    if (isAuthError(error) && (error.code === "token_invalid" || error.code === "token_expired")) {
      return null;
    }
    throw error;
  }
  const found = await findLiveSessionWithUser(
    ctx,
    claims.sid,
    (record) => record.userId === claims.sub,
  );
  return found ? { user: found.user, session: toPublicSession(found.session) } : null;
}
