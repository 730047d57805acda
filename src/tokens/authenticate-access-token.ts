import type { VerifiedClaims } from "../cache/verified-token-cache.js";
import type { AuthContext } from "../context/context.js";
import { isAuthError } from "../errors.js";
import {
  cachedSessionWithUser,
  findAndCacheSessionWithUser,
  toPublicSession,
} from "../sessions/sessions.js";
import type { SessionRecord } from "../storage/ports.js";
import type { AuthResult } from "../types.js";
import type { CallerNowOrLater } from "../util/authenticate-now.js";
import { verifyOwnAccessToken } from "./access-token.js";

/**
 * The user and session behind an access JWT, or null. The signature and claims are checked
 * locally; then the session named by `sid` is loaded, which is the revocation check: a token of
 * a session that was ended (logout, revocation, password change or reset) fails here at once,
 * not when it expires, and so does one that is no longer live. It reads, in one storage call
 * when the sessions port joins the user (`getWithUser`), and never writes (no slide: only
 * cookie requests and refreshes are activity). Storage failures propagate (the caller fails
 * closed).
 *
 * With `session.cache` on, a token verified before skips the signature check
 * (`ctx.tokenCache`, until its `exp`) and the session comes from the session cache when it can
 * vouch for it: a token presented again costs a hash and two lookups, and its session's
 * revocation still refuses it at once. On a hit of both caches the answer comes without a
 * promise: there is nothing to wait for.
 */
export function authenticateAccessToken(ctx: AuthContext, token: string): CallerNowOrLater {
  const now = ctx.now();
  const claims = ctx.tokenCache?.lookup(token, now.getTime());
  if (claims) {
    const cache = ctx.sessionCache;
    const accept = (record: SessionRecord) => record.userId === claims.sub;
    const cached = cache && cachedSessionWithUser(cache, claims.sid, accept, now);
    if (cached === null) return null;
    if (cache && cached) return cache.result(cached);
    return sessionOf(ctx, claims, now);
  }
  return verifyThenLoad(ctx, token, now);
}

async function verifyThenLoad(
  ctx: AuthContext,
  token: string,
  now: Date,
): Promise<AuthResult | null> {
  let claims: VerifiedClaims;
  try {
    claims = await verifyOwnAccessToken(ctx, token);
  } catch (error) {
    if (isAuthError(error) && (error.code === "token_invalid" || error.code === "token_expired")) {
      return null;
    }
    throw error;
  }
  ctx.tokenCache?.store(token, claims, now.getTime());
  return sessionOf(ctx, claims, now);
}

async function sessionOf(
  ctx: AuthContext,
  claims: VerifiedClaims,
  now: Date,
): Promise<AuthResult | null> {
  const found = await findAndCacheSessionWithUser(
    ctx,
    claims.sid,
    (record) => record.userId === claims.sub,
    now,
    claims.sub,
  );
  return found ? { user: found.user, session: toPublicSession(found.session) } : null;
}
