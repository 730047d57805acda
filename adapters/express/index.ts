/**
 * `portcullis/express`: Express 5 (and 4) glue.
 *
 * ```ts
 * app.use(authHandler(auth));                 // every route under basePath ("/auth")
 * app.get("/api/me", requireAuth(auth), (req, res) => res.json({ user: authed(req).user }));
 * app.get("/account", requireAuth(auth, { redirectTo: "/sign-in" }), renderAccount);
 * app.use(withAuth(auth));                    // req.auth (or null) for every later route
 * ```
 *
 * The guards write the caller to `req.auth` (typed by declaration merging), or to the property
 * named by `{ property }` when `auth` is taken (express-jwt and express-oauth2-jwt-bearer use it).
 * `authed(req)` reads the caller a guard found, typed non-null, whatever the property.
 *
 * Client IP: the adapter passes Express's `req.ip`, which already honours `app.set("trust proxy",
 * ...)`. Leave Portcullis's own `trustedProxies` empty with Express, so X-Forwarded-For is
 * interpreted once, by Express.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { errorBody } from "../../src/errors.js";
import type { Auth, AuthResult } from "../../src/index.js";
import { callerOf, loadCaller } from "../guard/caller.js";
import {
  assertAuth,
  guardRedirect,
  requestProperty,
  SIGN_IN_REDIRECT_STATUS,
  signInLocation,
  targetPath,
  unavailableAnswer,
} from "../guard/index.js";
import { type ReplacementBody, sendWebResponse, toWebRequest } from "../node-http/index.js";

declare global {
  namespace Express {
    interface Request {
      /**
       * The signed-in caller, set by `withAuth` or `requireAuth` (with the default `property`);
       * null when signed out. In a handler behind `requireAuth`, `authed(req)` is the non-null one.
       */
      auth?: AuthResult | null;
    }
  }
}

/** A request behind `requireAuth`, as `authed(req)` sees it. */
export type AuthedRequest = Request & { auth: AuthResult };

export interface WithAuthOptions {
  /**
   * The request property the caller is written to. Default "auth"; pick another name when
   * something else in the app already uses `req.auth` (express-jwt, express-oauth2-jwt-bearer).
   * Only the default is typed on `Request`; `authed(req)` works with any name.
   * @default "auth"
   */
  property?: string;
}

export interface RequireAuthOptions extends WithAuthOptions {
  /**
   * For pages: redirect signed-out visitors here (303, with `?next=` set to the path they asked
   * for) instead of answering 401 JSON. Must be a path on this site, like "/sign-in" (checked at
   * setup with the rules of `safeRedirectPath`); one with its own `next` parameter is used as is.
   */
  redirectTo?: string;
}

/** Where a guard keeps the caller it found, whatever the property: `authed(req)` reads it. */

/** The request target's path and query; an absolute-form target is read by its path. */
function pathOf(req: Request): string {
  return targetPath(req.originalUrl || req.url);
}

function isBelow(path: string, basePath: string): boolean {
  const pathname = path.split("?")[0] as string;
  return pathname === basePath || pathname.startsWith(`${basePath}/`);
}

/**
 * The body to hand the core when a body parser (`express.json()`, `express.urlencoded()`, ...)
 * registered before the handler has already drained the stream; undefined when the stream is
 * still unread, which is the better case: the core then sees the exact bytes.
 */
function alreadyParsedBody(req: Request): ReplacementBody | undefined {
  if (!req.readableEnded) return undefined;
  const body: unknown = req.body;
  if (body === undefined || body === null) return "";
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (req.is("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      form.append(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    return form.toString();
  }
  return JSON.stringify(body);
}

async function serve(auth: Auth, req: Request, res: Response, replacement?: ReplacementBody) {
  const request = toWebRequest(req, auth.config.origin + pathOf(req), replacement);
  await sendWebResponse(res, await auth.handler(request, { clientIP: req.ip ?? null }));
}

/**
 * Serves every Portcullis route under `auth.config.basePath`; other paths pass through. Mount it
 * with `app.use(...)` before or after `express.json()`: either way the core reads the body.
 */
export function authHandler(auth: Auth): [RequestHandler, ErrorRequestHandler] {
  assertAuth("portcullis/express: authHandler(auth)", auth);
  const { basePath } = auth.config;

  const handleAuthRoutes: RequestHandler = async function portcullis(req, res, next) {
    if (!isBelow(pathOf(req), basePath)) return next();
    try {
      await serve(auth, req, res, alreadyParsedBody(req));
    } catch (error) {
      next(error);
    }
  };

  // A body parser registered earlier fails before the handler runs: hand its failures on auth
  // routes to the core, so they get the core's checks (CSRF first) and its error shape.
  const handleBodyParserErrors: ErrorRequestHandler = async function portcullisBodyErrors(
    error,
    req,
    res,
    next,
  ) {
    const type = (error as { type?: unknown })?.type;
    if (!isBelow(pathOf(req), basePath) || typeof type !== "string") return next(error);
    try {
      if (type === "entity.parse.failed") {
        return await serve(auth, req, res, String((error as { body?: unknown }).body ?? ""));
      }
      // Possibly read halfway: the rest would not be the body, so answer here, in the shape.
      if (type === "entity.too.large") {
        res.status(413).set({ "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
        res.json(errorBody("payload_too_large"));
        return;
      }
      // Refused before reading (an unsupported charset, say): the stream is intact.
      if (!req.readableEnded) return await serve(auth, req, res);
      next(error);
    } catch (failure) {
      next(failure);
    }
  };

  return [handleAuthRoutes, handleBodyParserErrors];
}

/**
 * Sets `req.auth` (the caller, or null) for every route after it, and continues. When storage
 * is down it is null too; a `requireAuth` later on the same request still answers 503.
 */
export function withAuth(auth: Auth, options: WithAuthOptions = {}): RequestHandler {
  assertAuth("portcullis/express: withAuth(auth)", auth);
  const property = requestProperty("withAuth", options.property);
  return async function withPortcullisAuth(req: Request, _res: Response, next: NextFunction) {
    let failure: unknown;
    try {
      await loadCaller(auth, req, property);
    } catch (error) {
      if (!unavailableAnswer(error)) failure = error;
    }
    next(failure);
  };
}

/**
 * Lets signed-in callers through with `req.auth` set (read it as `authed(req)`). Others get 401
 * `unauthenticated` in the library's error shape, or, with `redirectTo` (for pages), a 303 to it
 * with `?next=` set to the path they asked for. When storage is down, 503 `unavailable` with
 * `Retry-After`, never a redirect.
 */
export function requireAuth(auth: Auth, options: RequireAuthOptions = {}): RequestHandler {
  assertAuth("portcullis/express: requireAuth(auth)", auth);
  const redirectTo = guardRedirect("requireAuth", options.redirectTo);
  const property = requestProperty("requireAuth", options.property);
  return async function requirePortcullisAuth(req: Request, res: Response, next: NextFunction) {
    let caller: AuthResult | null;
    try {
      caller = await loadCaller(auth, req, property);
    } catch (error) {
      const outage = unavailableAnswer(error);
      if (!outage) return next(error);
      res.status(outage.status).set(outage.headers).json(outage.body);
      return;
    }
    if (caller) return next();
    res.set("Cache-Control", "no-store");
    if (redirectTo !== undefined) {
      return res.redirect(SIGN_IN_REDIRECT_STATUS, signInLocation(redirectTo, pathOf(req)));
    }
    res.status(401).json(errorBody("unauthenticated"));
  };
}

/**
 * The caller `requireAuth` let through, typed non-null, whatever `property` it writes to:
 *
 * ```ts
 * app.get("/api/me", requireAuth(auth), (req, res) => res.json({ user: authed(req).user }));
 * ```
 *
 * Throws when no guard found a signed-in caller on this request (the handler is not behind
 * `requireAuth`): a bug in the route, answered 500, never served as if signed in.
 */
export function authed(req: Request): AuthResult {
  const caller = callerOf(req);
  if (!caller) {
    throw new Error(
      "portcullis/express: authed(req) found no signed-in caller: put requireAuth(auth) before this handler",
    );
  }
  return caller;
}
