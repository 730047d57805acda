/**
 * `portcullis/fastify`: a Fastify 5 plugin (named "portcullis", not encapsulated), and guards.
 *
 * ```ts
 * await app.register(fastifyAuth, { auth });      // every route under basePath ("/auth")
 * app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => ({ user: request.auth?.user }));
 * app.get("/account", { preHandler: requireAuth(auth, { redirectTo: "/sign-in" }) }, renderAccount);
 * ```
 *
 * `requireAuth(auth)` and `withAuth(auth)` are plain functions that need nothing registered, so
 * a route is guarded from the moment it is declared, `await` or not. (There is no
 * `app.requireAuth`: a decorator exists only once the plugin has loaded, and a route declared
 * before that got `preHandler: undefined`, which Fastify reads as "no preHandler", an open
 * route.) The plugin also refuses, at declaration, any later route whose `onRequest`,
 * `preParsing`, `preValidation` or `preHandler` is given as `undefined` or holds one.
 *
 * The auth routes live in an encapsulated child context whose only content-type parser leaves
 * the body unread, so the core reads the exact bytes and the app's own JSON parser is untouched.
 * Client IP: `request.ip`, which honours Fastify's `trustProxy`; leave Portcullis's own
 * `trustedProxies` empty so X-Forwarded-For is interpreted once.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from "fastify";
import { ConfigError } from "../../src/config-error.js";
import { errorBody } from "../../src/errors.js";
import type { Auth, AuthResult } from "../../src/index.js";
import { sitePath } from "../../src/util/safe-path.js";
import { toWebRequest } from "../node-http/index.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in caller, set by `requireAuth` or `withAuth`; null when signed out. */
    auth: AuthResult | null;
  }
}

export interface FastifyAuthOptions {
  auth: Auth;
}

export interface RequireAuthOptions {
  /**
   * For pages: redirect signed-out visitors here (303) instead of answering 401 JSON. Must be a
   * path on this site, like "/sign-in" (checked at setup with the rules of `safeRedirectPath`).
   */
  redirectTo?: string;
}

// HEAD comes for free: Fastify answers it from the GET route.
const METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/**
 * The path and query of a request target. Fastify routes an absolute-form target
 * (`POST http://evil.example/auth/login HTTP/1.1`, which HTTP/1.1 servers must accept) by its
 * path but leaves it whole in `request.url`; the host it names is ignored here too, so the core
 * always sees this site's origin, as with the other adapters.
 */
function pathOf(target: string): string {
  if (target.startsWith("/")) return target;
  try {
    const { pathname, search } = new URL(target);
    return pathname + search;
  } catch {
    return "/";
  }
}

async function reply(auth: Auth, request: FastifyRequest, fastifyReply: FastifyReply) {
  const webRequest = toWebRequest(request.raw, auth.config.origin + pathOf(request.url));
  const response = await auth.handler(webRequest, { clientIP: request.ip ?? null });
  fastifyReply.code(response.status);
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") fastifyReply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) fastifyReply.header("set-cookie", cookies);
  return fastifyReply.send(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

async function portcullis(fastify: FastifyInstance, options: FastifyAuthOptions) {
  const { auth } = options;
  if (typeof auth?.handler !== "function") {
    throw new ConfigError("portcullis/fastify: register with { auth }, the result of createAuth()");
  }
  const { basePath } = auth.config;
  fastify.decorateRequest("auth", null);
  fastify.addHook("onRoute", refuseUndefinedHooks);

  await fastify.register(async function portcullisRoutes(routes) {
    routes.removeAllContentTypeParsers();
    // Leave every body unread for the core, which enforces its own type and size limits.
    routes.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    const handler = (request: FastifyRequest, fastifyReply: FastifyReply) =>
      reply(auth, request, fastifyReply);
    routes.route({ method: METHODS, url: basePath, handler });
    routes.route({ method: METHODS, url: `${basePath}/*`, handler });
  });
}

/** The request hooks a guard can sit in. */
const GUARD_HOOKS = ["onRequest", "preParsing", "preValidation", "preHandler"] as const;

/**
 * onRoute: `{ preHandler: undefined }` is how a guard that did not exist yet (a decorator read
 * before its plugin loaded, a misspelt import) reaches Fastify, which then runs no preHandler at
 * all. Refuse it when the route is declared instead of serving the route to anyone. (An array
 * holding `undefined` Fastify refuses itself, with a less helpful message.)
 */
function refuseUndefinedHooks(route: RouteOptions): void {
  for (const hook of GUARD_HOOKS) {
    if (!Object.hasOwn(route, hook)) continue;
    const value: unknown = route[hook];
    const hooks = Array.isArray(value) ? value : [value];
    if (hooks.every((h) => typeof h === "function")) continue;
    const shown = Array.isArray(value)
      ? `[${value.map((h) => (typeof h === "function" ? "function" : String(h))).join(", ")}]`
      : String(value);
    throw new ConfigError(
      `portcullis/fastify: ${String(route.method)} ${route.url} declares ${hook}: ${shown}, ` +
        "which Fastify treats as no hook, leaving the route open to anyone. For a guard use " +
        'requireAuth(auth) from "portcullis/fastify", which needs nothing registered first ' +
        "(app.requireAuth no longer exists).",
    );
  }
}

/**
 * The plugin. Not encapsulated: `request.auth` and the `onRoute` check reach the whole app
 * (routes declared after it has loaded, so register it first).
 *
 * These three symbols are exactly what `fastify-plugin` sets (`fp(portcullis, { fastify: "5.x",
 * name: "portcullis" })`). Set by hand because fastify-plugin is CommonJS that calls
 * `require("path")`, which breaks once bundled into this ESM build, and it is not a dependency.
 */
export const fastifyAuth = Object.assign(portcullis, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "portcullis",
  [Symbol.for("plugin-meta")]: { fastify: "5.x", name: "portcullis" },
});

/** preHandler: sets `request.auth` to the caller or null; never rejects. */
export function withAuth(auth: Auth): preHandlerAsyncHookHandler {
  return async function withPortcullisAuth(request) {
    request.auth = await auth.authenticate(request.headers);
  };
}

/**
 * preHandler: lets signed-in callers through with `request.auth` set. Others get 401
 * `unauthenticated` in the library's error shape, or a 303 to `redirectTo` when given.
 * Synchronous and self-contained: the route is guarded as soon as it is declared, whether or
 * not `register(fastifyAuth, ...)` has finished (or happened at all).
 */
export function requireAuth(
  auth: Auth,
  options: RequireAuthOptions = {},
): preHandlerAsyncHookHandler {
  if (typeof auth?.authenticate !== "function") {
    throw new ConfigError("portcullis/fastify: requireAuth(auth) takes the result of createAuth()");
  }
  const redirectTo = options.redirectTo === undefined ? undefined : sitePath(options.redirectTo);
  if (redirectTo === null) {
    throw new ConfigError('requireAuth: redirectTo must be a path on this site, like "/sign-in"');
  }
  return async function requirePortcullisAuth(request, fastifyReply) {
    request.auth = request.auth ?? (await auth.authenticate(request.headers));
    if (request.auth) return;
    fastifyReply.header("cache-control", "no-store");
    if (redirectTo !== undefined) return fastifyReply.redirect(redirectTo, 303);
    return fastifyReply.code(401).send(errorBody("unauthenticated"));
  };
}
