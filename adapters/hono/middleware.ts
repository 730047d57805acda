import type { Context, MiddlewareHandler, Next } from "hono";
import { errorBody } from "../../src/errors.js";
import type { Auth, AuthResult } from "../../src/index.js";
import type { CallerNowOrLater } from "../../src/util/authenticate-now.js";
import { findCaller } from "../guard/caller.js";
import {
  assertAuth,
  guardRedirect,
  SIGN_IN_REDIRECT_STATUS,
  signInLocation,
  unavailableAnswer,
} from "../guard/index.js";

declare module "hono" {
  interface ContextVariableMap {
    /**
     * Set by `withAuth` / `requireAuth`: who is calling, or null when nobody is signed in. In a
     * handler chained after `requireAuth(auth)` in the same route it is typed non-null.
     */
    auth: AuthResult | null;
  }
}

/** The variables a handler chained after `requireAuth(auth)` sees: `c.get("auth")` is the caller. */
export type AuthEnv = { Variables: { auth: AuthResult } };
/** The variables a handler chained after `withAuth(auth)` sees: the caller or null. */
export type MaybeAuthEnv = { Variables: { auth: AuthResult | null } };

/**
 * Reads the caller once per request (remembered on the raw `Request`, with an outage), and
 * sets `c.get("auth")`: null when nobody is signed in or when storage is down, in which case
 * it throws or rejects with `AuthError("unavailable")`. Without a promise when the caller is
 * known at once (a session-cache hit): see `findCaller`.
 */
function resolveAuth(auth: Auth, c: Context): CallerNowOrLater {
  const known: AuthResult | null | undefined = c.get("auth");
  if (known) return known;
  let answer: CallerNowOrLater;
  try {
    answer = findCaller(auth, c.req.raw, c.req.raw.headers);
  } catch (error) {
    c.set("auth", null);
    throw error;
  }
  if (!(answer instanceof Promise)) {
    c.set("auth", answer);
    return answer;
  }
  return answer.then(
    (caller) => {
      c.set("auth", caller);
      return caller;
    },
    (error) => {
      c.set("auth", null);
      throw error;
    },
  );
}

/**
 * Sets `c.get("auth")` to the caller or null, and always continues (null as well when storage
 * is down; a `requireAuth` later on the same request still answers 503). Chained in a route,
 * the handler after it sees `AuthResult | null`; with `app.use`, `ContextVariableMap` types it so.
 */
export function withAuth(auth: Auth): MiddlewareHandler<MaybeAuthEnv> {
  assertAuth("portcullis/hono: withAuth(auth)", auth);
  return async function portcullisWithAuth(c, next) {
    try {
      await resolveAuth(auth, c);
    } catch (error) {
      if (!unavailableAnswer(error)) throw error;
    }
    await next();
  };
}

export interface RequireAuthOptions {
  /**
   * For pages: where to send a visitor who is not signed in (303), with `?next=` set to the path
   * they asked for (when that is a path on this site, see `safeRedirectPath`; "/" otherwise).
   * Must itself be a path on this site; one with its own `next` parameter is used as is.
   * Without it the guard answers 401 in the JSON error shape.
   */
  redirectTo?: string;
}

/**
 * Lets signed-in callers through with `c.get("auth")` set; answers 401 (or redirects) otherwise,
 * and 503 `unavailable` with `Retry-After` (never a redirect) when storage is down.
 * Chained in the route, it types the caller non-null for the handler after it:
 *
 * ```ts
 * app.get("/api/me", requireAuth(auth), (c) => c.json({ user: c.get("auth").user }));
 * ```
 */
export function requireAuth(
  auth: Auth,
  options: RequireAuthOptions = {},
): MiddlewareHandler<AuthEnv> {
  assertAuth("portcullis/hono: requireAuth(auth)", auth);
  const redirectTo = guardRedirect("requireAuth", options.redirectTo);
  /** On to the route, or 401 / the sign-in page. */
  function admit(
    c: Context<AuthEnv>,
    next: Next,
    caller: AuthResult | null,
  ): ReturnType<MiddlewareHandler> {
    if (caller) return next();
    c.header("Cache-Control", "no-store");
    if (redirectTo !== undefined) {
      const url = new URL(c.req.url);
      // `GET //evil.example/x` has the pathname `//evil.example/x`: never handed on as `next`.
      const location = signInLocation(redirectTo, url.pathname + url.search);
      return Promise.resolve(c.redirect(location, SIGN_IN_REDIRECT_STATUS));
    }
    return Promise.resolve(c.json(errorBody("unauthenticated"), 401));
  }

  /** 503 for an outage; any other error goes to Hono's error handling. */
  function refuse(c: Context<AuthEnv>, error: unknown): Promise<Response> {
    const outage = unavailableAnswer(error);
    if (!outage) return Promise.reject(error);
    for (const [name, value] of Object.entries(outage.headers)) c.header(name, value);
    return Promise.resolve(c.json(outage.body, outage.status));
  }

  // Not async: on a session-cache hit the route's own `next()` is the only promise.
  return function portcullisRequireAuth(c, next) {
    let caller: CallerNowOrLater;
    try {
      caller = resolveAuth(auth, c);
    } catch (error) {
      return refuse(c, error);
    }
    if (caller instanceof Promise) {
      return caller.then(
        (found) => admit(c, next, found),
        (error) => refuse(c, error),
      );
    }
    return admit(c, next, caller);
  };
}
