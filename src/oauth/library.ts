import { AuthError } from "../errors.js";

/** oauth4webapi, the module. */
export type OAuthLibrary = typeof import("oauth4webapi");

let loading: Promise<OAuthLibrary> | undefined;

/**
 * oauth4webapi, imported on the first social sign-in rather than at startup: an app that only
 * guards routes, or never configures `oauth`, should not load it on every cold start. Bundlers
 * keep a dynamic `import()` as a chunk of its own; `test/package/size-budget.test.ts` checks it.
 */
export function loadOAuth(): Promise<OAuthLibrary> {
  loading ??= import("oauth4webapi").catch((error: unknown) => {
    // Forget the failure so the next sign-in retries instead of failing forever.
    loading = undefined;
    throw new AuthError(
      "unavailable",
      "Could not load the OAuth library (oauth4webapi)",
      {},
      { cause: error },
    );
  });
  return loading;
}
