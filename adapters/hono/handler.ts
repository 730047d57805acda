import type { Context, Handler } from "hono";
import type { Auth } from "../../src/index.js";
import { assertAuth } from "../guard/index.js";

/** Every method the auth routes answer; pass to `app.on(AUTH_METHODS, "/auth/*", ...)`. */
export const AUTH_METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"];

export interface HonoAuthOptions {
  /**
   * The socket address of the caller, the start of client-IP resolution (see `trustedProxies`).
   * On Node: `(c) => getConnInfo(c).remote.address` from `@hono/node-server/conninfo`. Without it,
   * per-IP rate limits only apply when `clientIPHeader` names a header your platform sets.
   */
  getClientIP?: (c: Context) => string | null | undefined;
}

export type AuthHandlerOptions = HonoAuthOptions;

/**
 * A Hono handler serving every route below the auth base path:
 * `app.on(AUTH_METHODS, "/auth/*", authHandler(auth))`. A body that earlier middleware already
 * read through `c.req.json()` and friends is taken from Hono's body cache, so the handler works
 * wherever it is mounted.
 */
export function authHandler(auth: Auth, options: AuthHandlerOptions = {}): Handler {
  assertAuth("portcullis/hono: authHandler(auth)", auth);
  const { getClientIP } = options;
  return async function portcullis(c) {
    const clientIP = getClientIP?.(c) ?? null;
    return auth.handler(await unreadRequest(c), { clientIP });
  };
}

/**
 * The same handler.
 * @deprecated Use `authHandler(auth, options)`, the name every adapter mounts with.
 */
export const honoAuth: (auth: Auth, options?: HonoAuthOptions) => Handler = authHandler;

async function unreadRequest(c: Context): Promise<Request> {
  const raw = c.req.raw;
  if (!raw.bodyUsed) return raw;
  return new Request(raw.url, {
    method: raw.method,
    headers: raw.headers,
    body: await c.req.arrayBuffer(),
    signal: raw.signal,
  });
}
