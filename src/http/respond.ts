import { AuthError, isAuthError } from "../errors.js";
import { asOAuthError } from "../tokens/oauth-errors.js";
import { type Logger, logError } from "../util/logger.js";

export function json(status: number, body: unknown, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set("Content-Type", "application/json; charset=utf-8");
  return response;
}

export function noContent(status = 204, headers?: HeadersInit): Response {
  return new Response(null, { status, headers });
}

/** A 302 to `location`: where a browser that followed a link or posted a form goes next. */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 302, headers: { Location: location, ...headers } });
}

/**
 * The shape a route answers failures in: the library's `{ error: { code, message } }`, or for the
 * OAuth token endpoints RFC 6749 §5.2's `{ error, error_description }` (`Route.errorFormat`).
 */
export type ErrorFormat = "library" | "oauth";

/**
 * The error shape every failure answers with. Anything that is not an `AuthError` becomes
 * `internal` with a fixed message: stacks and driver messages stay in the server's log.
 */
export function errorResponse(
  error: unknown,
  logger?: Logger,
  format: ErrorFormat = "library",
): Response {
  const known = isAuthError(error) ? error : null;
  if (!known && logger) logError(logger, "internal error", error);
  // An outage or an unmigrated schema is the operator's to fix: say so in the log, with the cause.
  if (known?.code === "unavailable" && logger) {
    logger.warn({ err: known.cause ?? known }, known.message);
  }
  const failure = known ?? new AuthError("internal", "Internal error");
  const body: Record<string, unknown> = { code: failure.code, message: failure.message };
  if (failure.details.issues) body.issues = failure.details.issues;
  const headers = new Headers();
  if (failure.details.retryAfter !== undefined)
    headers.set("Retry-After", String(failure.details.retryAfter));
  if (failure.details.allow) headers.set("Allow", failure.details.allow.join(", "));
  if (format === "oauth") {
    const oauth = asOAuthError(failure);
    // Like every token endpoint response, never cached (RFC 6749 §5.1).
    headers.set("Cache-Control", "no-store");
    headers.set("Pragma", "no-cache");
    return json(oauth.status, oauth.body, headers);
  }
  return json(failure.status, { error: body }, headers);
}

/**
 * Headers every auth response carries: nothing here may be sniffed or leaked by Referer, and
 * nothing may be cached unless its route says so (public keys may be).
 */
export function applySecurityHeaders(headers: Headers) {
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
}
