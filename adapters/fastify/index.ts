/**
 * `portcullis/fastify`: a Fastify 5 plugin (named "portcullis", not encapsulated), and guards.
 *
 * ```ts
 * await app.register(authHandler(auth));          // every route under basePath ("/auth")
 * app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => ({ user: authed(request).user }));
 * app.get("/account", { preHandler: requireAuth(auth, { redirectTo: "/sign-in" }) }, renderAccount);
 * ```
 *
 * The guards write the caller to `request.auth` (typed by module augmentation), or to the
 * property named by `{ property }`; `authed(request)` reads it typed non-null, whatever the name.
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
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from "fastify";
import { ConfigError } from "../../src/config-error.js";
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
import { toWebRequest } from "../node-http/index.js";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The signed-in caller, set by `requireAuth` or `withAuth` (with the default `property`);
     * null when signed out. In a handler behind `requireAuth`, `authed(request)` is the non-null one.
     */
    auth: AuthResult | null;
  }
}

export interface WithAuthOptions {
  /**
   * The request property the caller is written to (and, given to `authHandler`, decorated with
   * null). Default "auth"; pick another name when a plugin of the app already decorates
   * `request.auth`. Only the default is typed on `FastifyRequest`; `authed(request)` works with
   * any name. Give the plugin and the guards the same name.
   * @default "auth"
   */
  property?: string;
}

export type AuthHandlerOptions = WithAuthOptions;

/** The options of the deprecated `fastifyAuth` plugin: `app.register(fastifyAuth, { auth })`. */
export interface FastifyAuthOptions extends WithAuthOptions {
  auth: Auth;
}

export interface RequireAuthOptions extends WithAuthOptions {
  /**
   * For pages: redirect signed-out visitors here (303, with `?next=` set to the path they asked
   * for) instead of answering 401 JSON. Must be a path on this site, like "/sign-in" (checked at
   * setup with the rules of `safeRedirectPath`); one with its own `next` parameter is used as is.
   */
  redirectTo?: string;
}

/** A request behind `requireAuth`, as `authed(request)` sees it. */
export type AuthedRequest = FastifyRequest & { auth: AuthResult };

// HEAD comes for free: Fastify answers it from the GET route.
const METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/** Where a guard keeps the caller it found, whatever the property: `authed(request)` reads it. */

/**
 * The path and query of a request target. Fastify routes an absolute-form target
 * (`POST http://evil.example/auth/login HTTP/1.1`, which HTTP/1.1 servers must accept) by its
 * path but leaves it whole in `request.url`; the host it names is ignored here too, so the core
 * always sees this site's origin, as with the other adapters.
 */
const pathOf = targetPath;

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
  const property = requestProperty("portcullis/fastify", options.property);
  const { basePath } = auth.config;
  fastify.decorateRequest(property, null);
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
 * The three symbols `fastify-plugin` sets (`fp(plugin, { fastify: "5.x", name: "portcullis" })`):
 * not encapsulated, so `request.auth` and the `onRoute` check reach the whole app. Set by hand
 * because fastify-plugin is CommonJS that calls `require("path")`, which breaks once bundled into
 * this ESM build, and it is not a dependency.
 */
function asPlugin<T extends object>(plugin: T): T {
  return Object.assign(plugin, {
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: "portcullis",
    [Symbol.for("plugin-meta")]: { fastify: "5.x", name: "portcullis" },
  });
}

/**
 * The plugin serving every Portcullis route under `auth.config.basePath`, in its own context
 * whose only content-type parser leaves the body unread (the app's parsers are untouched):
 *
 * ```ts
 * await app.register(authHandler(auth));   // or authHandler(auth, { property: "portcullis" })
 * ```
 *
 * Not encapsulated: the `request.auth` decorator and the `onRoute` check reach the whole app
 * (routes declared after it has loaded, so register it first).
 */
export function authHandler(auth: Auth, options: AuthHandlerOptions = {}): FastifyPluginAsync {
  assertAuth("portcullis/fastify: authHandler(auth)", auth);
  requestProperty("portcullis/fastify", options.property);
  return asPlugin(async function portcullisPlugin(fastify: FastifyInstance) {
    await portcullis(fastify, { ...options, auth });
  });
}

/**
 * The same plugin, taking the instance as a register option.
 * @deprecated Use `app.register(authHandler(auth))`, the name every adapter mounts with.
 */
export const fastifyAuth = asPlugin(portcullis);

/**
 * preHandler: sets `request.auth` to the caller or null, and continues. When storage is down it
 * is null too; a `requireAuth` later on the same request still answers 503.
 */
export function withAuth(auth: Auth, options: WithAuthOptions = {}): preHandlerAsyncHookHandler {
  assertAuth("portcullis/fastify: withAuth(auth)", auth);
  const property = requestProperty("withAuth", options.property);
  return async function withPortcullisAuth(request) {
    try {
      await loadCaller(auth, request, property);
    } catch (error) {
      if (!unavailableAnswer(error)) throw error;
    }
  };
}

/**
 * preHandler: lets signed-in callers through with `request.auth` set (read it as
 * `authed(request)`). Others get 401 `unauthenticated` in the library's error shape, or, with
 * `redirectTo` (for pages), a 303 to it with `?next=` set to the path they asked for. When
 * storage is down, 503 `unavailable` with `Retry-After`, never a redirect.
 * Synchronous and self-contained: the route is guarded as soon as it is declared, whether or
 * not `register(authHandler(auth))` has finished (or happened at all).
 */
export function requireAuth(
  auth: Auth,
  options: RequireAuthOptions = {},
): preHandlerAsyncHookHandler {
  assertAuth("portcullis/fastify: requireAuth(auth)", auth);
  const redirectTo = guardRedirect("requireAuth", options.redirectTo);
  const property = requestProperty("requireAuth", options.property);
  return async function requirePortcullisAuth(request, fastifyReply) {
    let caller: AuthResult | null;
    try {
      caller = await loadCaller(auth, request, property);
    } catch (error) {
      const outage = unavailableAnswer(error);
      if (!outage) throw error;
      return fastifyReply.code(outage.status).headers(outage.headers).send(outage.body);
    }
    if (caller) return;
    fastifyReply.header("cache-control", "no-store");
    if (redirectTo !== undefined) {
      const location = signInLocation(redirectTo, pathOf(request.url));
      return fastifyReply.redirect(location, SIGN_IN_REDIRECT_STATUS);
    }
    return fastifyReply.code(401).send(errorBody("unauthenticated"));
  };
}

/**
 * The caller `requireAuth` let through, typed non-null, whatever `property` it writes to:
 *
 * ```ts
 * app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => ({ user: authed(request).user }));
 * ```
 *
 * Throws when no guard found a signed-in caller on this request (the route has no
 * `requireAuth`): a bug in the route, answered 500, never served as if signed in.
 */
export function authed(request: FastifyRequest): AuthResult {
  const caller = callerOf(request);
  if (!caller) {
    throw new Error(
      "portcullis/fastify: authed(request) found no signed-in caller: add requireAuth(auth) to this route's preHandler",
    );
  }
  return caller;
}
