import { type AuthSource, assertSource, resolveSource } from "./source.js";

export interface NextHandlerOptions {
  /**
   * The caller's address, the start of client-IP resolution. App Router handlers do not see the
   * socket, so without this (or `clientIPHeader` in the auth config, e.g. "x-real-ip" on Vercel)
   * per-IP rate limits have no address to count against.
   */
  getClientIP?: (request: Request) => string | null | undefined;
}

export type AuthHandlerOptions = NextHandlerOptions;

type RouteHandler = (request: Request) => Promise<Response>;

export interface NextRouteHandlers {
  GET: RouteHandler;
  POST: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

/**
 * Route handlers for `app/auth/[...all]/route.ts` (the folder must match `basePath`). With
 * `defineAuth`, export its `handlers` instead: `export const { GET, POST, ... } = handlers`.
 */
export function authHandler(auth: AuthSource, options: AuthHandlerOptions = {}): NextRouteHandlers {
  assertSource("portcullis/next: authHandler(auth)", auth);
  const { getClientIP } = options;
  const handle: RouteHandler = async (request) =>
    resolveSource(auth).handler(request, { clientIP: getClientIP?.(request) ?? null });
  return { GET: handle, POST: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}

/**
 * The same route handlers.
 * @deprecated Use `handlers` from `defineAuth`, or `authHandler(auth)`, the name every adapter
 * mounts with.
 */
export const toNextHandler: (auth: AuthSource, options?: NextHandlerOptions) => NextRouteHandlers =
  authHandler;
