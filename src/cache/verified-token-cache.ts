import { sha256Base64url } from "../crypto/sha256.js";

/*
 * Access JWTs this instance has verified, so that a client presenting the same token again
 * costs a SHA-256 and a lookup instead of a signature verification (an EdDSA verify is most of
 * a Bearer request's cost). Keyed by the token's SHA-256, never the token. An entry holds only
 * what the signature and the claims checks established, and is served only while those checks
 * would still pass at the injected clock's `now`: before `exp` (no tolerance is granted from
 * here: past `exp` the full verification decides), and not before `iat` or `nbf`, should the
 * clock have gone back. Revocation is not this cache's concern and needs no invalidation: every
 * hit still looks up the session the token names (the session cache, or storage), which is
 * where a logout, a revocation or a disabled account refuses it. The key ring is fixed for the
 * life of an instance, so no entry can outlive the key that verified it.
 */

/** What the guard needs of a verified access token's claims. */
export interface VerifiedClaims {
  readonly sub: string;
  readonly sid: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly iat: number;
  readonly nbf?: number;
}

export interface VerifiedTokenCache {
  /** The claims of `token` if it was verified and they still hold at `now` (ms), else undefined. */
  lookup(token: string, now: number): VerifiedClaims | undefined;
  /** Remembers a token that passed verification at `now` (ms). */
  store(token: string, claims: VerifiedClaims, now: number): void;
  readonly size: number;
}

export function createVerifiedTokenCache(options: {
  maxEntries: number;
  /** Seconds of skew the verification tolerates on `iat` and `nbf` (`tokens.clockTolerance`). */
  clockTolerance: number;
}): VerifiedTokenCache {
  const entries = new Map<string, VerifiedClaims>();
  const holds = (claims: VerifiedClaims, now: number) => {
    const seconds = now / 1000;
    const latest = seconds + options.clockTolerance;
    return (
      seconds < claims.exp &&
      claims.iat <= latest &&
      (claims.nbf === undefined || claims.nbf <= latest)
    );
  };
  return {
    lookup(token, now) {
      const key = sha256Base64url(token);
      const claims = entries.get(key);
      if (claims === undefined) return undefined;
      if (holds(claims, now)) return claims;
      entries.delete(key);
      return undefined;
    },
    store(token, claims, now) {
      if (!holds(claims, now)) return;
      const key = sha256Base64url(token);
      entries.delete(key);
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      const { sub, sid, exp, iat, nbf } = claims;
      entries.set(key, nbf === undefined ? { sub, sid, exp, iat } : { sub, sid, exp, iat, nbf });
    },
    get size() {
      return entries.size;
    },
  };
}
