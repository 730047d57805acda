import type { AuthContext } from "../context/context.js";
import { AuthError, isAuthError } from "../errors.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import type { OAuthLibrary } from "./library.js";

/*
 * What a failed social sign-in answers. Every failure is an `AuthError` the browser is sent back
 * with (`?error=<code>`): the attempt itself (`token_invalid`), the provider's answer
 * (`invalid_credentials`), the provider out of reach (`unavailable`). Details go to the log, not
 * to the browser; the log record never carries the provider's bodies (they hold tokens).
 */

/** The state is missing, forged, expired, used already, or another provider's. */
export const invalidState = () =>
  new AuthError(
    "token_invalid",
    "This sign-in attempt is invalid, expired or already used: start again",
  );

export function unreachable(provider: OAuthProvider, cause: unknown): AuthError {
  return new AuthError(
    "unavailable",
    `Could not reach ${provider.name}; try again shortly`,
    {},
    { cause },
  );
}

/** Letters, digits and `_` of a provider's error code: it came through the browser. */
const errorCode = (value: string) => value.replace(/[^A-Za-z0-9_]/g, "").slice(0, 64);

function isNetworkFailure(error: unknown): boolean {
  // fetch rejects with a TypeError when it cannot connect; the timeout aborts it.
  return (
    error instanceof TypeError ||
    (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
  );
}

/**
 * The `AuthError` for anything the exchange with the provider threw. Errors of our own pass
 * through; a failure that is no protocol failure (a bug) is thrown as it is, to be answered
 * `internal` and logged with its stack.
 */
export function providerFailure(
  ctx: AuthContext,
  provider: OAuthProvider,
  error: unknown,
  lib: OAuthLibrary,
): AuthError {
  if (isAuthError(error)) return error;
  if (isNetworkFailure(error)) return unreachable(provider, error);
  const log = (reason: string) =>
    ctx.config.logger.warn(
      { provider: provider.id, code: (error as { code?: unknown }).code, reason },
      `sign-in with ${provider.id} refused`,
    );
  if (error instanceof lib.AuthorizationResponseError) {
    return new AuthError(
      "invalid_credentials",
      `${provider.name} did not sign you in (${errorCode(error.error)})`,
    );
  }
  if (error instanceof lib.ResponseBodyError) {
    log(`token endpoint answered ${error.status} ${errorCode(error.error)}`);
    if (error.status >= 500) return unreachable(provider, error);
    return new AuthError(
      "invalid_credentials",
      `${provider.name} refused the sign-in (${errorCode(error.error)}): start again`,
    );
  }
  if (
    error instanceof lib.OperationProcessingError ||
    error instanceof lib.UnsupportedOperationError ||
    error instanceof lib.WWWAuthenticateChallengeError
  ) {
    log(error.message);
    return new AuthError(
      "invalid_credentials",
      `The answer from ${provider.name} could not be verified: start again`,
    );
  }
  throw error;
}
