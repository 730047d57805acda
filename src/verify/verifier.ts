import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { ConfigError } from "../config-error.js";
import type { AccessTokenAlgorithm, AccessTokenClaims, RevocationCheck } from "./claims.js";
import { localKeyResolver, type VerificationKey } from "./key-resolver.js";
import { remoteKeySet } from "./remote-key-set.js";
import { verifyJwt } from "./verify-jwt.js";

export interface VerifyAccessTokenOptions {
  /** The issuer's key set: its URL (e.g. `https://auth.example.com/auth/jwks`) or the set itself. */
  jwks?: string | URL | JSONWebKeySet;
  /** Keys held locally instead: public keys, or HS256 secrets. */
  keys?: readonly VerificationKey[];
  /** The issuer's baseURL, exactly as the issuer is configured. */
  issuer: string;
  /** This service's audience; the issuer's baseURL unless it sets `tokens.audience`. */
  audience: string | string[];
  /**
   * Allowed algorithms. Default: EdDSA, ES256 and RS256 with `jwks`; the keys' own with `keys`.
   * HS256 works only with `keys`: a key set is public, so it can never hold an HMAC secret.
   */
  algorithms?: readonly AccessTokenAlgorithm[];
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 5. */
  clockTolerance?: number;
  /**
   * With a `jwks` URL: the fewest seconds between two refetches of the key set for a token whose
   * `kid` it lacks (a new key after a rotation, or a forged one). Such a token waits for the next
   * refetch, at most this long, instead of being refused. 0 refetches for every such token,
   * which lets anyone make this service fetch the key set at will. Default 5.
   */
  jwksCooldown?: number;
  /**
   * With a `jwks` URL: seconds the fetched key set is used before it is fetched again, so a key
   * the issuer stopped publishing stops verifying within this time. Default 600.
   */
  jwksCacheMaxAge?: number;
  /** Called for every token that passes the other checks; true rejects it as revoked. */
  checkRevocation?: RevocationCheck;
  /** Milliseconds since the epoch; for tests. */
  clock?: { now(): number };
}

const ASYMMETRIC: readonly AccessTokenAlgorithm[] = ["EdDSA", "ES256", "RS256"];

/**
 * Remote key sets by URL and timing: each caches its keys, so every verifier of one URL (with the
 * same timing) shares one cache and one refetch budget.
 */
const remoteSets = new Map<string, JWTVerifyGetKey>();

function remoteSet(url: string | URL, cooldown: number, cacheMaxAge: number): JWTVerifyGetKey {
  const href = new URL(url).href;
  const id = `${cooldown} ${cacheMaxAge} ${href}`;
  let set = remoteSets.get(id);
  if (!set) {
    set = remoteKeySet(new URL(href), cooldown, cacheMaxAge);
    remoteSets.set(id, set);
  }
  return set;
}

/** A duration option in seconds, checked: finite and not negative. */
function seconds(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) {
    throw new ConfigError(`${name} must be a number of seconds, 0 or more`);
  }
  return result;
}

/**
 * Checks the options once and returns a function that verifies access tokens against them. The
 * options are validated here, so a mistake shows at startup, not at the first request.
 */
export function createAccessTokenVerifier(
  options: VerifyAccessTokenOptions,
): (token: string) => Promise<AccessTokenClaims> {
  const { jwks, keys } = options;
  if ((jwks === undefined) === (keys === undefined)) {
    throw new ConfigError("verifyAccessToken needs exactly one of jwks or keys");
  }
  if (typeof options.issuer !== "string" || options.issuer === "") {
    throw new ConfigError("verifyAccessToken needs the issuer");
  }
  const audiences = [options.audience].flat();
  if (audiences.length === 0 || audiences.some((aud) => typeof aud !== "string" || aud === "")) {
    throw new ConfigError("verifyAccessToken needs the audience");
  }
  const algorithms =
    options.algorithms ?? (keys ? [...new Set(keys.map((k) => k.alg))] : ASYMMETRIC);
  if (algorithms.length === 0) throw new ConfigError("algorithms must not be empty");
  if (jwks !== undefined && algorithms.includes("HS256")) {
    throw new ConfigError("HS256 needs keys with the shared secret, not jwks");
  }
  const clockTolerance = seconds("clockTolerance", options.clockTolerance, 5);
  const cooldown = seconds("jwksCooldown", options.jwksCooldown, 5);
  const cacheMaxAge = seconds("jwksCacheMaxAge", options.jwksCacheMaxAge, 600);
  const getKey: JWTVerifyGetKey = keys
    ? localKeyResolver(keys)
    : typeof jwks === "string" || jwks instanceof URL
      ? remoteSet(jwks, cooldown, cacheMaxAge)
      : createLocalJWKSet(jwks as JSONWebKeySet);
  const rules = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    clockTolerance,
    now: options.clock ? () => (options.clock as { now(): number }).now() : () => Date.now(),
    checkRevocation: options.checkRevocation,
  };
  return function verifyAccessToken(token) {
    return verifyJwt(token, getKey, rules);
  };
}

/**
 * Verifies an access token issued by Portcullis: signature (by `kid`, within the allowed
 * algorithms), `typ: at+jwt`, `iss`, `aud`, `exp`/`nbf`/`iat` with the clock tolerance, and the
 * claims every token carries; then `checkRevocation` when given. Returns the claims, or throws
 * `AuthError` with code `token_invalid`, `token_expired` or (key set unreachable) `unavailable`.
 *
 * A remote key set is fetched once and cached per URL (`jwksCacheMaxAge`), and fetched again for
 * a `kid` it lacks (at most once per `jwksCooldown`); for many calls, `createAccessTokenVerifier`
 * also skips re-checking the options.
 */
export function verifyAccessToken(
  token: string,
  options: VerifyAccessTokenOptions,
): Promise<AccessTokenClaims> {
  return createAccessTokenVerifier(options)(token);
}
