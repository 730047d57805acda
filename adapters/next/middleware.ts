import { readCookie } from "../../src/util/cookies.js";
import {
  createAccessTokenVerifier,
  type VerifyAccessTokenOptions,
} from "../../src/verify/verifier.js";
import {
  assertSitePath,
  signInRedirect,
  unauthenticatedResponse,
  unavailableResponse,
} from "./responses.js";

export interface AuthMiddlewareOptions {
  /** Path prefixes that need a signed-in caller, e.g. `["/dashboard", "/api/private"]`. */
  protect: readonly string[];
  /**
   * Where page requests (those that accept text/html) without a session go, e.g. "/sign-in":
   * a 303 with `?next=` set to the path asked for, as every adapter's guard answers. Must be a
   * path on this site (checked at setup).
   */
  redirectTo: string;
  /** The session cookie's name as configured in `session.cookieName`; `__Host-` is added too. */
  cookieName?: string;
  /**
   * Verify `Authorization: Bearer` access JWTs here, with the issuer's JWKS or keys (the options
   * of `verifyAccessToken` from `portcullis/verify`). Then a Bearer credential on a protected
   * path must be a valid access token (401 otherwise; 503 `unavailable` with `Retry-After` when
   * the key set cannot be fetched). Without it, Bearer requests pass to the route unchecked.
   */
  accessTokens?: VerifyAccessTokenOptions;
}

type Middleware = (request: Request) => Promise<Response | undefined>;

/**
 * An edge-safe gate for `middleware.ts` (Next 15) or `proxy.ts` (Next 16). It never touches the
 * database: it checks that a session cookie is PRESENT, or that a Bearer access JWT verifies, so
 * it is a fast first filter, not the check. Every protected page and route must still call
 * `getAuth()` (or use `requireAuth`), which validates the session. Returns undefined to continue.
 */
export function authMiddleware(options: AuthMiddlewareOptions): Middleware {
  const { protect } = options;
  const baseName = options.cookieName ?? "portcullis.session";
  const cookieNames = [`__Host-${baseName}`, baseName];
  // `redirectTo` is required here, so the check always yields a path.
  const redirectTo = assertSitePath("authMiddleware", options.redirectTo) ?? "/";
  // Built now, so a wrong issuer or key shows at startup rather than on the first request.
  const verify = options.accessTokens ? createAccessTokenVerifier(options.accessTokens) : null;

  return async function portcullisMiddleware(request) {
    const url = new URL(request.url);
    const guarded = protect.some(
      (prefix) =>
        url.pathname === prefix || url.pathname.startsWith(`${prefix.replace(/\/$/, "")}/`),
    );
    if (!guarded) return undefined;

    const bearer = /^Bearer +(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (bearer !== undefined) {
      if (!verify) return undefined;
      // Fails closed: an expired or forged token is a 401; one that cannot be checked (the
      // JWKS cannot be fetched) is a 503, so the client retries rather than drops its token.
      return verify(bearer).then(
        () => undefined,
        (error: unknown) => unavailableResponse(error) ?? unauthenticatedResponse(),
      );
    }
    const cookie = request.headers.get("cookie");
    if (cookieNames.some((name) => readCookie(cookie, name))) return undefined;

    if ((request.headers.get("accept") ?? "").includes("text/html")) {
      return signInRedirect(request, redirectTo);
    }
    return unauthenticatedResponse();
  };
}
