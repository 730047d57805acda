import type { Auth, AuthResult } from "../../src/index.js";

/**
 * A function for server components, route handlers and server actions that returns the signed-in
 * caller or null. It reads the request's headers through `next/headers`, imported on first call so
 * that this module loads outside Next. Fails closed: any doubt is null.
 */
export function getAuth(auth: Auth): () => Promise<AuthResult | null> {
  return async function currentAuth() {
    // `next` is a peer dependency, so this stays an import of the app's own Next: the instance
    // that knows the current request.
    const { headers } = await import("next/headers");
    return auth.authenticate(await headers());
  };
}
