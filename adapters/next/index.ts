/**
 * `portcullis/next`: Next.js App Router (15 and 16). Nothing here imports `next` eagerly or the
 * core's storage code, so `authMiddleware` is safe on the edge runtime and the module loads
 * outside Next (tests, scripts).
 *
 * ```ts
 * // app/auth/[...all]/route.ts
 * export const { GET, POST, PATCH, DELETE, OPTIONS } = toNextHandler(auth);
 * // lib/auth.ts
 * export const getSession = getAuth(auth);   // await getSession() in server code
 * ```
 */
export { getAuth } from "./get-auth.js";
export { type AuthMiddlewareOptions, authMiddleware } from "./middleware.js";
export { type RequireAuthOptions, requireAuth } from "./require-auth.js";
export { type NextHandlerOptions, type NextRouteHandlers, toNextHandler } from "./route-handler.js";
