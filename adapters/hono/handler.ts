import type { Context, Handler } from "hono";
import type { Auth } from "../../src/index.js";

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

/**
 * A Hono handler serving every route below the auth base path. A body that earlier middleware
 * already read through `c.req.json()` and friends is taken from Hono's body cache, so the handler
 * works wherever it is mounted.
 */
export function honoAuth(auth: Auth, options: HonoAuthOptions = {}): Handler {
  const { getClientIP } = options;
  return async function portcullis(c) {
    const clientIP = getClientIP?.(c) ?? null;
    return auth.handler(await unreadRequest(c), { clientIP });
  };
}

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
