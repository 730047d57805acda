import type { Context, MiddlewareHandler } from "hono";
import { ConfigError } from "../../src/config-error.js";
import { errorBody } from "../../src/errors.js";
import type { Auth, AuthResult } from "../../src/index.js";
import { safeRedirectPath, sitePath } from "../../src/util/safe-path.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `withAuth` / `requireAuth`: who is calling, or null when nobody is signed in. */
    auth: AuthResult | null;
  }
}

/** Reads the caller once per request; later middleware reuse what an earlier one found. */
async function resolveAuth(auth: Auth, c: Context): Promise<AuthResult | null> {
  const known = c.get("auth");
  if (known !== undefined) return known;
  // authenticate() fails closed: a storage outage reads as "not signed in", never a throw.
  const result = await auth.authenticate(c.req.raw.headers);
  c.set("auth", result);
  return result;
}

/** Sets `c.get("auth")` to the caller or null, and always continues. */
export function withAuth(auth: Auth): MiddlewareHandler {
  return async function portcullisWithAuth(c, next) {
    await resolveAuth(auth, c);
    await next();
  };
}

export interface RequireAuthOptions {
  /**
   * For pages: where to send a visitor who is not signed in (302), with `?next=` set to the path
   * they asked for (when that is a path on this site, see `safeRedirectPath`; "/" otherwise).
   * Must itself be a path on this site. Without it the guard answers 401 in the JSON error shape.
   */
  redirectTo?: string;
}

/** `path` with `next=` added to its query (before any `#fragment`). */
function withNext(path: string, next: string): string {
  const hashAt = path.includes("#") ? path.indexOf("#") : path.length;
  const [head, hash] = [path.slice(0, hashAt), path.slice(hashAt)];
  return `${head}${head.includes("?") ? "&" : "?"}next=${encodeURIComponent(next)}${hash}`;
}

/** Lets signed-in callers through with `c.get("auth")` set; answers 401 (or redirects) otherwise. */
export function requireAuth(auth: Auth, options: RequireAuthOptions = {}): MiddlewareHandler {
  const redirectTo = options.redirectTo === undefined ? undefined : sitePath(options.redirectTo);
  if (redirectTo === null) {
    throw new ConfigError('requireAuth: redirectTo must be a path on this site, like "/sign-in"');
  }
  return async function portcullisRequireAuth(c, next) {
    if (await resolveAuth(auth, c)) return next();
    if (redirectTo !== undefined) {
      const url = new URL(c.req.url);
      // `GET //evil.example/x` has the pathname `//evil.example/x`: never handed on as `next`.
      const back = safeRedirectPath(url.pathname + url.search, "/");
      c.header("Cache-Control", "no-store");
      return c.redirect(withNext(redirectTo, back), 302);
    }
    c.header("Cache-Control", "no-store");
    return c.json(errorBody("unauthenticated"), 401);
  };
}
