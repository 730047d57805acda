/**
 * The one guard behaviour every framework adapter shares (internal, not a public subpath): what
 * `requireAuth(auth, { redirectTo })` checks at setup and where it sends a signed-out visitor.
 * Web APIs only, so it runs on edge runtimes (Hono, Next's proxy) as well as on Node.
 *
 * - `redirectTo` must be a path on this site (the rules of `safeRedirectPath`); anything else
 *   throws a `ConfigError` when the guard is created, never at the first request.
 * - A signed-out visitor is sent there with `303 See Other` (a POST to a guarded page becomes a
 *   GET of the sign-in page) and `Cache-Control: no-store`.
 * - `?next=` is added with the path and query the visitor asked for, when that is a path on this
 *   site (`safeRedirectPath`; `GET //evil.example/x` gets `next=/`). A `redirectTo` that already
 *   has its own `next` parameter is used as given.
 * - Without `redirectTo`: 401 `unauthenticated` in the library's error shape, `no-store`.
 * - When the caller cannot be determined because a dependency is down (storage, the token
 *   keys): 503 `unavailable` with `Retry-After`, redirect or not. Fail closed, but tell the
 *   truth: a signed-in visitor is not sent to sign in, where the login would meet the same
 *   outage, and an API client is not told to drop its credential.
 */
import { ConfigError } from "../../src/config-error.js";
import { type AuthError, errorBody, isAuthError } from "../../src/errors.js";
import { safeRedirectPath, sitePath } from "../../src/util/safe-path.js";
import { STORAGE_RETRY_AFTER_SECONDS } from "../../src/util/storage-unavailable.js";

/** The status of every guard's redirect to the sign-in page, in every adapter. */
export const SIGN_IN_REDIRECT_STATUS = 303;

/**
 * Setup-time check of a guard's `redirectTo`: the path, normalised as the URL parser reads it,
 * or undefined when none was given. Throws a `ConfigError` naming `where` otherwise.
 */
export function guardRedirect(where: string, redirectTo: string | undefined): string | undefined {
  if (redirectTo === undefined) return undefined;
  const path = sitePath(redirectTo);
  if (path === null) {
    throw new ConfigError(`${where}: redirectTo must be a path on this site, like "/sign-in"`);
  }
  return path;
}

/** Setup-time check that `auth` is what `createAuth()` returned. */
export function assertAuth(where: string, auth: unknown): void {
  if (typeof (auth as { authenticate?: unknown } | null)?.authenticate !== "function") {
    throw new ConfigError(`${where} takes the result of createAuth()`);
  }
}

/** Setup-time check of the request property an Express or Fastify guard writes the caller to. */
export function requestProperty(where: string, property: string | undefined): string {
  if (property === undefined) return "auth";
  if (
    typeof property !== "string" ||
    !/^[A-Za-z_$][\w$]*$/.test(property) ||
    ["__proto__", "constructor", "prototype"].includes(property)
  ) {
    throw new ConfigError(
      `${where}: property must be an identifier such as "portcullis" (got ${JSON.stringify(property)})`,
    );
  }
  return property;
}

/**
 * Where a guard sends a signed-out visitor: `redirectTo` (already checked by `guardRedirect`)
 * with `next=` set to `requested` (the path and query asked for) when that is a path on this
 * site, "/" otherwise, and left alone when `redirectTo` has a `next` of its own. A `#fragment`
 * of `redirectTo` stays last. Always a path: the Next.js adapter resolves it against the request.
 */
export function signInLocation(redirectTo: string, requested: string): string {
  const hashAt = redirectTo.includes("#") ? redirectTo.indexOf("#") : redirectTo.length;
  const head = redirectTo.slice(0, hashAt);
  const hash = redirectTo.slice(hashAt);
  const queryAt = head.indexOf("?");
  if (queryAt !== -1 && new URLSearchParams(head.slice(queryAt + 1)).has("next")) return redirectTo;
  const next = encodeURIComponent(safeRedirectPath(requested, "/"));
  return `${head}${queryAt === -1 ? "?" : "&"}next=${next}${hash}`;
}

/**
 * The path and query of a request target. An absolute-form target (`GET http://host/x HTTP/1.1`,
 * which HTTP/1.1 servers must accept) is read by its path; the host it names is ignored.
 */
export function targetPath(target: string): string {
  if (target.startsWith("/")) return target;
  try {
    const { pathname, search } = new URL(target);
    return pathname + search;
  } catch {
    return "/";
  }
}

/** Whether `error` says the caller could not be determined because a dependency is down. */
export function isUnavailable(error: unknown): error is AuthError {
  return isAuthError(error) && error.code === "unavailable";
}

/** A guard's answer to an outage, for the adapter to send in its framework's idiom. */
export interface UnavailableAnswer {
  status: 503;
  headers: { "Cache-Control": string; "Retry-After": string };
  body: ReturnType<typeof errorBody>;
}

/**
 * What every guard answers when `auth.authenticate(headers, { onUnavailable: "throw" })`
 * rejected with `unavailable`: 503, `Retry-After` (the error's own, else the readiness figure),
 * `no-store`, and the body the auth routes answer for the same outage. Null for any other
 * error, which the adapter hands to its framework's error handling.
 */
export function unavailableAnswer(error: unknown): UnavailableAnswer | null {
  if (!isUnavailable(error)) return null;
  const retryAfter = error.details.retryAfter ?? STORAGE_RETRY_AFTER_SECONDS;
  return {
    status: 503,
    headers: { "Cache-Control": "no-store", "Retry-After": String(retryAfter) },
    body: errorBody(error),
  };
}
