import type { AuthResult } from "../../src/index.js";
import { type AuthSource, assertSource, resolveSource } from "./source.js";

type ReadAuth = () => Promise<AuthResult | null>;

/**
 * `read` through React's `cache()`, so the layout, the page and every component of one server
 * render share one lookup. `react` is imported on first call, like `next/headers`: inside Next
 * that is the app's own React (the one that knows the current render); outside a render, or
 * without React, `read` runs as is.
 */
function perRender(read: ReadAuth): ReadAuth {
  let cached: Promise<ReadAuth> | undefined;
  return async function currentAuth() {
    cached ??= import("react").then(
      (react) => {
        const cache =
          react.cache ?? (react as { default?: { cache?: typeof react.cache } }).default?.cache;
        return typeof cache === "function" ? cache(read) : read;
      },
      () => read,
    );
    return (await cached)();
  };
}

export interface GetAuthOptions {
  /**
   * When storage is down and the caller cannot be determined: `"throw"` (default) rejects with
   * `AuthError("unavailable")` (status 503), so the usual `if (!session) redirect("/sign-in")`
   * does not send a signed-in visitor to sign in during an outage; Next renders the nearest
   * `error.tsx` instead. `"null"` resolves to null, as for nobody signed in.
   * @default "throw"
   */
  onUnavailable?: "null" | "throw";
}

/**
 * A function for server components, route handlers and server actions that returns the signed-in
 * caller or null. It reads the request's headers through `next/headers`, imported on first call so
 * that this module loads outside Next. Fails closed: a wrong, expired or revoked credential is
 * null, and so is any failure other than an outage; an outage throws (see `onUnavailable`). With
 * `defineAuth`, use the `auth` it returns, which is this.
 *
 * The headers are read before the instance is resolved: while `next build` prerenders, reading
 * them is what marks a page dynamic, so a `defineAuth` instance is never created at build time.
 */
export function getAuth(
  auth: AuthSource,
  options: GetAuthOptions = {},
): () => Promise<AuthResult | null> {
  assertSource("portcullis/next: getAuth(auth)", auth);
  const onUnavailable = options.onUnavailable ?? "throw";
  return perRender(async function readAuth() {
    // `next` is a peer dependency, so this stays an import of the app's own Next: the instance
    // that knows the current request.
    const { headers } = await import("next/headers");
    const requestHeaders = await headers();
    return resolveSource(auth).authenticate(requestHeaders, { onUnavailable });
  });
}
