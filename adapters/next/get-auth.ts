import type { Auth, AuthResult } from "../../src/index.js";

/**
 * A function for server components, route handlers and server actions that returns the signed-in
 * caller or null. It reads the request's headers through `next/headers`, imported on first call so
 * that this module loads outside Next. Fails closed: any doubt is null.
 */
export function getAuth(auth: Auth): () => Promise<AuthResult | null> {
  return async function currentAuth() {
    // Spelled so the library's bundler (esbuild) leaves the import alone while Next's bundlers still
    // resolve it: Next must hand us its own instance, the one that knows the current request.
    const { headers } = (await import("next/".concat("headers"))) as typeof import("next/headers");
    return auth.authenticate(await headers());
  };
}
