import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { AuthError } from "../errors.js";
import {
  ACCESS_TOKEN_TYPE,
  type AccessTokenAlgorithm,
  type AccessTokenClaims,
  type RevocationCheck,
} from "./claims.js";

/** Everything a verification checks, resolved: no defaults left to fill in. */
export interface VerificationRules {
  issuer: string;
  audience: string | string[];
  algorithms: readonly AccessTokenAlgorithm[];
  /** Seconds of skew tolerated on `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  now(): number;
  checkRevocation?: RevocationCheck;
}

const REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "sid"];

/**
 * jose's codes for a key set that could not be had: no answer in time, an answer other than
 * 200, or one that is not a key set. The issuer is the problem, not the token.
 */
const UNAVAILABLE = ["ERR_JWKS_TIMEOUT", "ERR_JOSE_GENERIC", "ERR_JWKS_INVALID"];

const invalid = (cause?: unknown) =>
  new AuthError("token_invalid", "Invalid token", {}, cause === undefined ? undefined : { cause });

/**
 * Verifies an access JWT against keys found by `getKey` (which selects by `kid` and `alg`), and
 * the rules. Throws `AuthError`: `token_expired` past `exp`, `token_invalid` for anything else
 * wrong with the token, `unavailable` when a remote key set cannot be fetched.
 *
 * Only the protected header's `kid` and `alg` choose a key: `jku`, `x5u`, `jwk` and `x5c` are
 * never followed, since a key named by the token itself proves nothing.
 */
export async function verifyJwt(
  token: string,
  getKey: JWTVerifyGetKey,
  rules: VerificationRules,
): Promise<AccessTokenClaims> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (cause) {
    throw invalid(cause);
  }
  if (typeof kid !== "string" || kid.length === 0) throw invalid();
  const now = rules.now();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: rules.issuer,
      audience: rules.audience,
      algorithms: [...rules.algorithms],
      typ: ACCESS_TOKEN_TYPE,
      clockTolerance: rules.clockTolerance,
      currentDate: new Date(now),
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AuthError("token_expired", "Token has expired", {}, { cause: error });
    }
    if (!(error instanceof errors.JOSEError) || UNAVAILABLE.includes(error.code)) {
      throw new AuthError(
        "unavailable",
        "Could not fetch the verification keys",
        {},
        { cause: error },
      );
    }
    throw invalid(error);
  }
  // jose checks `iat` only for its type: a token minted in the future is not yet valid either.
  if ((payload.iat as number) > Math.floor(now / 1000) + rules.clockTolerance) throw invalid();
  for (const claim of ["sub", "jti", "sid"]) {
    if (typeof payload[claim] !== "string" || payload[claim] === "") throw invalid();
  }
  const claims = payload as AccessTokenClaims;
  if (rules.checkRevocation && (await rules.checkRevocation(claims))) {
    throw new AuthError("token_invalid", "Token has been revoked");
  }
  return claims;
}
