/**
 * `portcullis/hono`: mount the handler, read `c.get("auth")`, guard routes. Only Web APIs and
 * Hono's types, so the same code runs on Node (@hono/node-server), Bun, Deno and edge runtimes.
 *
 * ```ts
 * app.on(AUTH_METHODS, "/auth/*", authHandler(auth));
 * app.get("/api/me", requireAuth(auth), (c) => c.json({ user: c.get("auth").user }));
 * ```
 */
export {
  AUTH_METHODS,
  type AuthHandlerOptions,
  authHandler,
  type HonoAuthOptions,
  honoAuth,
} from "./handler.js";
export {
  type AuthEnv,
  type MaybeAuthEnv,
  type RequireAuthOptions,
  requireAuth,
  withAuth,
} from "./middleware.js";
