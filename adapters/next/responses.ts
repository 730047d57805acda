/** The guard answers, shared by the route-handler guard and the middleware; plain `Response`s. */

import { errorBody } from "../../src/errors.js";
import {
  guardRedirect,
  SIGN_IN_REDIRECT_STATUS,
  signInLocation,
  unavailableAnswer,
} from "../guard/index.js";

/** 401 in the library's error shape, never cached. */
export function unauthenticatedResponse(): Response {
  return new Response(JSON.stringify(errorBody("unauthenticated")), {
    status: 401,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/**
 * 503 `unavailable` with `Retry-After` when `error` says the caller could not be determined
 * because a dependency is down (storage, the token keys, a JWKS that cannot be fetched); null
 * for any other error, which the caller rethrows.
 */
export function unavailableResponse(error: unknown): Response | null {
  const outage = unavailableAnswer(error);
  if (!outage) return null;
  return new Response(JSON.stringify(outage.body), {
    status: outage.status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...outage.headers },
  });
}

/**
 * 303 to the sign-in page (`redirectTo`, already checked by `assertSitePath`), with `?next=` set
 * to where the visitor was going when that is a path on this site ("/" for `GET
 * //evil.example/x`, whose pathname is `//evil.example/x`): the rule of every adapter's guard
 * (adapters/guard). The Location is absolute, resolved against the request, as Next wants it.
 */
export function signInRedirect(request: Request, redirectTo: string): Response {
  const url = new URL(request.url);
  const target = new URL(signInLocation(redirectTo, url.pathname + url.search), url);
  return new Response(null, {
    status: SIGN_IN_REDIRECT_STATUS,
    headers: { Location: target.toString(), "Cache-Control": "no-store" },
  });
}

/**
 * Setup-time check: a guard may only send visitors to a path on the same site. Returns it as
 * the URL parser normalises it; throws a `ConfigError` naming `option` otherwise.
 */
export function assertSitePath(option: string, value: string | undefined): string | undefined {
  return guardRedirect(option, value);
}
