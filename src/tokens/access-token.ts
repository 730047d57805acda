import { SignJWT } from "jose";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { isSessionRevoked } from "../sessions/revocation.js";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from "../verify/claims.js";
import { verifyJwt } from "../verify/verify-jwt.js";

export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/** The `aud` access tokens carry and verifiers expect: `tokens.audience`, else baseURL. */
export function accessTokenAudience(ctx: AuthContext): string | string[] {
  return ctx.config.tokens.audience ?? ctx.config.baseURL;
}

/**
 * Signs an access token (RFC 9068 `at+jwt`) for a user's session with the ring's newest key,
 * with every claim RFC 9068 §2.2 requires (`iss`, `exp`, `aud`, `sub`, `client_id`, `iat`,
 * `jti`) and `sid`. It carries no user data beyond `sub`: services that need more ask with the
 * token. `client_id` is `tokens.clientId`, never what the request said: clients are not
 * registered, so a value a client chose would tell a resource server nothing it could trust.
 */
export async function issueAccessToken(
  ctx: AuthContext,
  subject: { userId: string; sessionId: string },
): Promise<IssuedAccessToken> {
  const { signer } = await ctx.keys;
  const { accessTokenTTL } = ctx.config.tokens;
  const now = Math.floor(ctx.now().getTime() / 1000);
  const token = await new SignJWT({ client_id: ctx.config.tokens.clientId, sid: subject.sessionId })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(ctx.config.baseURL)
    .setAudience(accessTokenAudience(ctx))
    .setSubject(subject.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + accessTokenTTL)
    .setJti(randomId(ctx.config.random))
    .sign(signer.signKey);
  return { token, expiresIn: accessTokenTTL };
}

/**
 * Verifies one of our own access tokens against the key ring and the configured rules. With
 * `checkRevocation`, a token whose session has been revoked is refused too (the revocation list
 * in storage); without it, only the signature and claims are checked.
 */
export async function verifyOwnAccessToken(
  ctx: AuthContext,
  token: string,
  options: { checkRevocation?: boolean } = {},
): Promise<AccessTokenClaims> {
  const ring = await ctx.keys;
  const { clockTolerance } = ctx.config.tokens;
  return verifyJwt(token, ring.getKey, {
    issuer: ctx.config.baseURL,
    audience: accessTokenAudience(ctx),
    algorithms: [...new Set([...ring.keys.values()].map((key) => key.alg))],
    clockTolerance,
    now: () => ctx.now().getTime(),
    checkRevocation: options.checkRevocation
      ? (claims) => isSessionRevoked(ctx, claims.sid)
      : undefined,
  });
}
