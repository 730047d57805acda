/**
 * `portcullis/verify`: verifies Portcullis access tokens in a resource server that holds only the
 * issuer's public keys (or its JWKS URL). It imports nothing but jose, so it stays small and runs
 * on edge runtimes.
 */
export { ConfigError, type ConfigIssue } from "../config-error.js";
export { AuthError, type AuthErrorCode, isAuthError } from "../errors.js";
export type { AccessTokenAlgorithm, AccessTokenClaims, RevocationCheck } from "./claims.js";
export type { VerificationKey } from "./key-resolver.js";
export {
  createAccessTokenVerifier,
  type VerifyAccessTokenOptions,
  verifyAccessToken,
} from "./verifier.js";
