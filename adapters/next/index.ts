/**
 * `portcullis/next`: Next.js App Router (15 and 16). Nothing here imports `next` eagerly, nor the
 * core (the app's `createAuth` call brings it), so `authMiddleware` is safe on the edge runtime
 * and reaches no storage or flow code, and the module loads outside Next (tests, scripts).
 *
 * ```ts
 * // lib/auth.ts: one instance per process, created at the first request
 * export const { auth, handlers, requireAuth, instance } = defineAuth(() => createAuth({ storage }));
 * // app/auth/[...all]/route.ts
 * export const { GET, POST, PATCH, DELETE, OPTIONS } = handlers;
 * // server components, route handlers, server actions
 * const session = await auth();
 * ```
 */
export { type DefineAuthOptions, type DefinedAuth, defineAuth } from "./define-auth.js";
export { type GetAuthOptions, getAuth } from "./get-auth.js";
export { type AuthMiddlewareOptions, authMiddleware } from "./middleware.js";
export { type GuardedRouteHandler, type RequireAuthOptions, requireAuth } from "./require-auth.js";
export {
  type AuthHandlerOptions,
  authHandler,
  type NextHandlerOptions,
  type NextRouteHandlers,
  toNextHandler,
} from "./route-handler.js";
export type { AuthSource } from "./source.js";
