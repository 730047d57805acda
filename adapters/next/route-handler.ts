import type { Auth } from "../../src/index.js";

export interface NextHandlerOptions {
  /**
   * The caller's address, the start of client-IP resolution. App Router handlers do not see the
   * socket, so without this (or `clientIPHeader` in the auth config, e.g. "x-real-ip" on Vercel)
   * per-IP rate limits have no address to count against.
   */
  getClientIP?: (request: Request) => string | null | undefined;
}

type RouteHandler = (request: Request) => Promise<Response>;

export interface NextRouteHandlers {
  GET: RouteHandler;
  POST: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

/** Route handlers for `app/auth/[...all]/route.ts` (the folder must match `basePath`). */
export function toNextHandler(auth: Auth, options: NextHandlerOptions = {}): NextRouteHandlers {
  const { getClientIP } = options;
  const handle: RouteHandler = (request) =>
    auth.handler(request, { clientIP: getClientIP?.(request) ?? null });
  return { GET: handle, POST: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}
