import type { AuthContext } from "../context/context.js";
import { authenticateCredential } from "../credentials/authenticate.js";
import { readCredential } from "../credentials/read-credential.js";
import { AuthError } from "../errors.js";
import { UNMATCHED_ROUTE } from "../metrics/auth-metrics.js";
import { parseInput } from "../validation.js";
import { readDeclaredBody } from "./body.js";
import { clientIP } from "./client-ip.js";
import { applyCors, preflightResponse } from "./cors.js";
import { createCsrfCheck } from "./csrf.js";
import { applySecurityHeaders, type ErrorFormat, errorResponse } from "./respond.js";
import type { Route } from "./route.js";
import { createRouter } from "./router.js";
import { siteRootDiscovery } from "./routes/discovery.js";

/** What an adapter knows about a request that the `Request` itself does not carry. */
export interface HandlerOptions {
  /** The socket's remote address; with `trustedProxies`, the start of client-IP resolution. */
  clientIP?: string | null;
}

export type AuthHandler = (request: Request, options?: HandlerOptions) => Promise<Response>;

/**
 * The answer to a HEAD on a route whose GET changes state (`Route.changesState`): the route is
 * not run, so a mail scanner or prefetcher probing an emailed link neither uses it up nor signs
 * anyone in. An empty `200` rather than a `405`: a HEAD is a safe method and the resource exists;
 * a failure status would only make some scanners flag a genuine link as broken. It deliberately
 * tells nothing about the link (valid, used or expired alike), and `no-store` keeps it out of
 * caches, so the GET that follows reaches the route.
 */
function unusedLinkHead(): Response {
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
}

/** The route a request matched, once it has: its metrics label and the shape of its errors. */
interface Matched {
  route: string;
  errorFormat?: ErrorFormat;
}

/**
 * The one Web-standard handler: every route below basePath (and the discovery documents at the
 * site root, when the app routes them here), every failure in the error shape.
 */
export function createHandler(ctx: AuthContext, routes: readonly Route[]): AuthHandler {
  const match = createRouter(routes);
  const { basePath } = ctx.config;
  const checkCsrf = createCsrfCheck(ctx.config);

  async function dispatch(
    request: Request,
    options: HandlerOptions,
    matched: Matched,
  ): Promise<Response> {
    const url = new URL(request.url);
    const below =
      url.pathname === basePath
        ? "/"
        : url.pathname.startsWith(`${basePath}/`)
          ? url.pathname.slice(basePath.length)
          : siteRootDiscovery(url.pathname, ctx.config);
    if (below === null) throw new AuthError("not_found", "Not found");
    if (request.method === "OPTIONS") return preflightResponse(request, ctx.config);
    const found = match(request.method, below);
    if (found.kind === "none") throw new AuthError("not_found", "Not found");
    if (found.kind === "wrong-method") {
      throw new AuthError("method_not_allowed", `Use ${found.allow.join(" or ")}`, {
        allow: found.allow,
      });
    }
    const { route, params } = found;
    matched.route = route.path;
    matched.errorFormat = route.errorFormat;
    // HEAD is answered from a GET route; it must never do what that GET does to state.
    if (request.method === "HEAD" && route.changesState) return unusedLinkHead();
    const presented = readCredential(ctx.config, request.headers);
    // A route that reads no cookie never sees one, so no forged request can use it: no CSRF check.
    const readsCookies = route.readsCookies !== false;
    const credential = !readsCookies && presented?.kind === "cookie" ? null : presented;
    if (credential?.kind !== "bearer" && readsCookies && !route.crossSitePost) checkCsrf(request);
    const caller = route.auth ? await authenticateCredential(ctx, credential) : null;
    if (route.auth && !caller) throw new AuthError("unauthenticated", "Not signed in");
    // Read, then the feature, then the schema: the order the flows check them in.
    const raw = route.body
      ? await readDeclaredBody(request, ctx.config.maxBodyBytes, route.body)
      : undefined;
    if (route.feature && !route.feature(ctx)) throw new AuthError("not_found", "Not found");
    const body = route.body ? parseInput(route.body.schema, raw) : undefined;
    const info = {
      ip: clientIP(request, options.clientIP, ctx.config),
      userAgent: request.headers.get("user-agent"),
    };
    return route.handle({ ctx, request, url, params, body, credential, caller, info });
  }

  return async function handler(request, options = {}) {
    const started = performance.now();
    const matched: Matched = { route: UNMATCHED_ROUTE };
    let response: Response;
    try {
      response = await dispatch(request, options, matched);
    } catch (error) {
      response = errorResponse(error, ctx.config.logger, matched.errorFormat);
    }
    // Some Responses (Response.redirect, fetched ones) have immutable headers: copy when needed.
    try {
      applySecurityHeaders(response.headers);
    } catch {
      response = new Response(response.body, response);
      applySecurityHeaders(response.headers);
    }
    applyCors(request, response.headers, ctx.config);
    // Labelled by route pattern, never the path. `?.`: contexts assembled in tests may have none.
    const seconds = (performance.now() - started) / 1000;
    ctx.metrics?.observeRequest(matched.route, response.status, seconds);
    if (response.status === 429) ctx.metrics?.rateLimited(matched.route);
    if (request.method === "HEAD") return new Response(null, response);
    return response;
  };
}
