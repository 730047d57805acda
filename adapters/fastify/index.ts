/**
 * `portcullis/fastify`: a Fastify 5 plugin (named "portcullis", not encapsulated).
 *
 * ```ts
 * await app.register(fastifyAuth, { auth });      // every route under basePath ("/auth")
 * app.get("/api/me", { preHandler: app.requireAuth }, async (request) => ({ user: request.auth?.user }));
 * app.get("/account", { preHandler: requireAuth(auth, { redirectTo: "/sign-in" }) }, renderAccount);
 * ```
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
} from "fastify";
import type { Auth, AuthResult } from "../../src/index.js";
import { toWebRequest } from "../node-http/index.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in caller, set by `requireAuth` or `withAuth`; null when signed out. */
    auth: AuthResult | null;
  }
  interface FastifyInstance {
    /** preHandler: 401 `unauthenticated` unless signed in; sets `request.auth`. */
    requireAuth: preHandlerAsyncHookHandler;
  }
}

export interface FastifyAuthOptions {
  auth: Auth;
}

export interface RequireAuthOptions {
  /** For pages: redirect signed-out visitors here (303) instead of answering 401 JSON. */
  redirectTo?: string;
}

// HEAD comes for free: Fastify answers it from the GET route.
const METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

async function reply(auth: Auth, request: FastifyRequest, fastifyReply: FastifyReply) {
  const webRequest = toWebRequest(request.raw, auth.config.origin + request.url);
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
    throw new Error("portcullis/fastify: register with { auth }, the result of createAuth()");
  }
  const { basePath } = auth.config;
  fastify.decorateRequest("auth", null);
  fastify.decorate("requireAuth", requireAuth(auth));

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

/**
 * The plugin. Not encapsulated: `request.auth` and `app.requireAuth` reach the whole app.
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
 */
export function requireAuth(
  auth: Auth,
  options: RequireAuthOptions = {},
): preHandlerAsyncHookHandler {
  const { redirectTo } = options;
  return async function requirePortcullisAuth(request, fastifyReply) {
    request.auth = request.auth ?? (await auth.authenticate(request.headers));
    if (request.auth) return;
    fastifyReply.header("cache-control", "no-store");
    if (redirectTo !== undefined) return fastifyReply.redirect(redirectTo, 303);
    return fastifyReply
      .code(401)
      .send({ error: { code: "unauthenticated", message: "Not signed in" } });
  };
}
