import type { AuthContext } from "../context/context.js";
import { isAuthError } from "../errors.js";
import type { AuthResult } from "../types.js";
import type { AuthenticateNow, CallerNowOrLater } from "../util/authenticate-now.js";
import type { HeadersInput } from "../util/headers.js";
import { logThrottle } from "../util/log-throttle.js";
import { authenticateCredential } from "./authenticate.js";
import { readCredential } from "./read-credential.js";

export interface AuthenticateOptions {
  /**
   * What `authenticate` does when the caller cannot be determined because a dependency is down
   * (storage, or the token keys): an `AuthError` with code `unavailable`.
   *
   * - `"null"` (default): resolves to null, as for nobody signed in. Fails closed; for code
   *   that only needs "is there a caller I can trust".
   * - `"throw"`: rejects with that `AuthError` (status 503, `details.retryAfter` in seconds),
   *   so a guard can answer 503 instead of "not signed in". Every framework guard does.
   *
   * Either way a credential that is wrong, expired or revoked, or no credential, is null, and
   * any other failure (a bug) is null and logged.
   * @default "null"
   */
  onUnavailable?: "null" | "throw";
}

export type Authenticate = (
  headers: HeadersInput,
  options?: AuthenticateOptions,
) => Promise<AuthResult | null>;

/** One log record per kind of failure per this many milliseconds of the instance's clock. */
export const FAILURE_LOG_INTERVAL_MS = 30_000;

const isUnavailable = (error: unknown) => isAuthError(error) && error.code === "unavailable";

/** A kind of failure, for the log throttle: same outage, same kind; a bug by its name and message. */
function kindOf(error: unknown): string {
  if (isUnavailable(error)) return `unavailable:${(error as Error).message}`;
  const described =
    error instanceof Error ? `${error.name}:${error.message}` : String(error ?? "unknown");
  return `failed:${described.slice(0, 200)}`;
}

/** `auth.authenticate`, and the guards' `AuthenticateNow` (src/util/authenticate-now.ts). */
export interface RequestAuthenticator {
  authenticate: Authenticate;
  authenticateNow: AuthenticateNow;
}

const THROW_WHEN_UNAVAILABLE: AuthenticateOptions = { onUnavailable: "throw" };

/**
 * `auth.authenticate`: who is calling, from the session cookie or an `Authorization: Bearer`
 * token. A failure is logged, once per kind per `FAILURE_LOG_INTERVAL_MS` (with how many were
 * held back): during an outage every request fails alike, and the log should say so once.
 */
export function requestAuthenticator(ctx: AuthContext): RequestAuthenticator {
  const throttled = logThrottle(() => ctx.now().getTime(), FAILURE_LOG_INTERVAL_MS);

  function failed(error: unknown, options: AuthenticateOptions): null {
    const unavailable = isUnavailable(error);
    throttled(kindOf(error), (heldBack) => {
      const fields = heldBack > 0 ? { err: error, heldBack } : { err: error };
      ctx.config.logger.error(
        fields,
        unavailable
          ? `authenticate failed: ${(error as Error).message}; the caller cannot be determined`
          : "authenticate failed; treating the request as signed out",
      );
    });
    if (unavailable && options.onUnavailable === "throw") throw error;
    return null;
  }

  // Not async: this is every guarded request's path, and a cache hit has nothing to wait for.
  function callerOf(headers: HeadersInput, options: AuthenticateOptions): CallerNowOrLater {
    let answer: CallerNowOrLater;
    try {
      answer = authenticateCredential(ctx, readCredential(ctx.config, headers));
    } catch (error) {
      return failed(error, options);
    }
    return answer instanceof Promise ? answer.catch((error) => failed(error, options)) : answer;
  }

  return {
    authenticate(headers, options = {}) {
      try {
        const answer = callerOf(headers, options);
        return answer instanceof Promise ? answer : Promise.resolve(answer);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    authenticateNow: (headers) => callerOf(headers, THROW_WHEN_UNAVAILABLE),
  };
}
