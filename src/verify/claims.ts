import type { JWTPayload } from "jose";

/** Signature algorithms an access token may carry. */
export type AccessTokenAlgorithm = "EdDSA" | "ES256" | "RS256" | "HS256";

/** The claims of a verified access token (RFC 9068 shape, plus `sid`, the session behind it). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  /**
   * The client the token was issued to (RFC 9068 §2.2): the issuer's `tokens.clientId`. Tokens
   * of earlier Portcullis versions lack it, so verification does not require it.
   */
  client_id?: string;
  /** The session the token was minted for: revoking the session revokes the token. */
  sid: string;
}

/**
 * Answers whether the token has been revoked, e.g. by asking a shared revocation list whether
 * `claims.sid` is listed. A throw rejects the token (fail closed) and reaches the caller as is.
 */
export type RevocationCheck = (claims: AccessTokenClaims) => boolean | Promise<boolean>;

/** The `typ` header every access token carries (RFC 9068), so no other JWT passes for one. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
