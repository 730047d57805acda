/**
 * `portcullis/express`: Express 5 (and 4) glue.
 *
 * ```ts
 * app.use(authHandler(auth));                 // every route under basePath ("/auth")
 * app.get("/api/me", requireAuth(auth), (req, res) => res.json({ user: req.auth?.user }));
 * app.get("/account", requireAuth(auth, { redirectTo: "/sign-in" }), renderAccount);
 * app.use(withAuth(auth));                    // req.auth (or null) for every later route
 * ```
 *
 * Client IP: the adapter passes Express's `req.ip`, which already honours `app.set("trust proxy",
 * ...)`. Leave Portcullis's own `trustedProxies` empty with Express, so X-Forwarded-For is
 * interpreted once, by Express.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { ConfigError } from "../../src/config-error.js";
import { errorBody } from "../../src/errors.js";
import type { Auth, AuthResult } from "../../src/index.js";
import { sitePath } from "../../src/util/safe-path.js";
import { type ReplacementBody, sendWebResponse, toWebRequest } from "../node-http/index.js";

declare global {
  namespace Express {
    interface Request {
      /** The signed-in caller, set by `withAuth` or `requireAuth`; null when signed out. */
      auth?: AuthResult | null;
    }
  }
}

export interface RequireAuthOptions {
  /**
   * For pages: redirect signed-out visitors here (303) instead of answering 401 JSON. Must be a
   * path on this site, like "/sign-in" (checked at setup with the rules of `safeRedirectPath`).
   */
  redirectTo?: string;
}

/**
 * The request target's path and query. An absolute-form target (`POST http://host/auth/login`,
 * which HTTP/1.1 servers must accept, and which Express routes by its path) is read the same
 * way; the host it names is ignored, so the core always sees this site's origin.
 */
function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  if (url.startsWith("/")) return url;
  try {
    const { pathname, search } = new URL(url);
    return pathname + search;
  } catch {
    return "/";
  }
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

async function loadAuth(auth: Auth, req: Request): Promise<AuthResult | null> {
  // withAuth earlier in the chain already looked; authenticate fails closed to null.
  if (req.auth === undefined) req.auth = await auth.authenticate(req.headers);
  return req.auth;
}

/** Sets `req.auth` (the caller, or null) for every route after it; never rejects. */
export function withAuth(auth: Auth): RequestHandler {
  return async function withPortcullisAuth(req: Request, _res: Response, next: NextFunction) {
    try {
      await loadAuth(auth, req);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Lets signed-in callers through with `req.auth` set. Others get 401 `unauthenticated` in the
 * library's error shape, or a 303 to `redirectTo` when given (for pages).
 */
export function requireAuth(auth: Auth, options: RequireAuthOptions = {}): RequestHandler {
  const redirectTo = options.redirectTo === undefined ? undefined : sitePath(options.redirectTo);
  if (redirectTo === null) {
    throw new ConfigError('requireAuth: redirectTo must be a path on this site, like "/sign-in"');
  }
  return async function requirePortcullisAuth(req: Request, res: Response, next: NextFunction) {
    try {
      if (await loadAuth(auth, req)) return next();
      res.set("Cache-Control", "no-store");
      if (redirectTo !== undefined) return res.redirect(303, redirectTo);
      res.status(401).json(errorBody("unauthenticated"));
    } catch (error) {
      next(error);
    }
  };
}
