import { isProduction, type ResolvedConfig } from "../config/config.js";
import { AuthError } from "../errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Longest echo of a request header in a message: an Origin is far shorter; junk is cut. */
const MAX_ECHO = 100;
/** Distinct rejected origins warned about per instance: a client varying Origin cannot flood the log. */
const MAX_WARNED_ORIGINS = 100;

/** A header value fit to echo: printable ASCII only, and short. */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > MAX_ECHO ? `${clean.slice(0, MAX_ECHO)}...` : clean;
}

/** Why a request fails the CSRF check. */
export type CsrfRejection =
  | { kind: "origin"; origin: string }
  | { kind: "fetch-site"; fetchSite: string }
  | { kind: "no-origin" };

/**
 * Why a request may not change state, or null when it may. Browsers send `Origin` on every
 * cross-site and same-site POST, PATCH and DELETE, so a trusted Origin (or
 * `Sec-Fetch-Site: same-origin`) proves the page that sent it. A request with neither header and
 * no cookie is no browser's: it carries no ambient credential to abuse. Bearer requests never
 * reach this check.
 */
export function csrfRejection(request: Request, config: ResolvedConfig): CsrfRejection | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const origin = request.headers.get("origin");
  if (origin !== null) return config.allowedOrigins.has(origin) ? null : { kind: "origin", origin };
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) {
    return fetchSite === "same-origin" ? null : { kind: "fetch-site", fetchSite };
  }
  return request.headers.has("cookie") ? { kind: "no-origin" } : null;
}

/** Whether a request may change state (see `csrfRejection`). */
export function passesCsrfCheck(request: Request, config: ResolvedConfig): boolean {
  return csrfRejection(request, config) === null;
}

/**
 * The `csrf_rejected` message: what the check saw, safe to answer in production (the Origin a
 * client sent is its own; it is cut short and kept to printable ASCII, and the JSON body escapes
 * it). The trusted origins are not listed to clients.
 */
export function csrfRejectionMessage(rejection: CsrfRejection): string {
  switch (rejection.kind) {
    case "origin":
      return `Request origin ${printable(rejection.origin)} is not trusted`;
    case "fetch-site":
      return `Request is not same-origin (Sec-Fetch-Site: ${printable(rejection.fetchSite)}) and has no Origin`;
    case "no-origin":
      return "Request with a cookie has neither Origin nor Sec-Fetch-Site";
  }
}

/**
 * The CSRF check of one instance: throws `csrf_rejected` saying what it saw. Outside production
 * it also warns once per distinct rejected origin (at most `MAX_WARNED_ORIGINS`) with the
 * trusted ones and the fix, since the usual cause is an app opened at another origin than
 * baseURL (`127.0.0.1` for `localhost`).
 */
export function createCsrfCheck(config: ResolvedConfig): (request: Request) => void {
  const warned = new Set<string>();
  return function checkCsrf(request) {
    const rejection = csrfRejection(request, config);
    if (rejection === null) return;
    if (rejection.kind === "origin" && !isProduction(config.baseURL)) {
      const origin = printable(rejection.origin);
      if (!warned.has(origin) && warned.size < MAX_WARNED_ORIGINS) {
        warned.add(origin);
        config.logger.warn(
          `origin ${origin} is not trusted; trusted are [${[...config.allowedOrigins].join(", ")}]; set baseURL or add it to trustedOrigins`,
        );
      }
    }
    throw new AuthError("csrf_rejected", csrfRejectionMessage(rejection));
  };
}
