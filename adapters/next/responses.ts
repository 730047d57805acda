/** The guard answers, shared by the route-handler guard and the middleware; plain `Response`s. */

import { ConfigError } from "../../src/config-error.js";
import { errorBody } from "../../src/errors.js";
import { safeRedirectPath, sitePath } from "../../src/util/safe-path.js";

/** 401 in the library's error shape, never cached. */
export function unauthenticatedResponse(): Response {
  return new Response(JSON.stringify(errorBody("unauthenticated")), {
    status: 401,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/**
 * 302 to the sign-in page, with `?next=` set to where the visitor was going when that is a path
 * on this site ("/" for `GET //evil.example/x`, whose pathname is `//evil.example/x`).
 */
export function signInRedirect(request: Request, redirectTo: string): Response {
  const url = new URL(request.url);
  const target = new URL(sitePathOrThrow("signInRedirect", redirectTo), url);
  target.searchParams.set("next", safeRedirectPath(url.pathname + url.search, "/"));
  return new Response(null, {
    status: 302,
    headers: { Location: target.toString(), "Cache-Control": "no-store" },
  });
}

/** `value` as a path on this site (see `safeRedirectPath`); throws, naming `option`, otherwise. */
function sitePathOrThrow(option: string, value: string): string {
  const path = sitePath(value);
  if (path === null) {
    throw new ConfigError(`${option}: redirectTo must be a path on this site, like "/sign-in"`);
  }
  return path;
}

/** Setup-time check: a guard may only send visitors to a path on the same site. */
export function assertSitePath(option: string, value: string | undefined): void {
  if (value !== undefined) sitePathOrThrow(option, value);
}
