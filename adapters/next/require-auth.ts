import type { Auth, AuthResult } from "../../src/index.js";
import { assertSitePath, signInRedirect, unauthenticatedResponse } from "./responses.js";

export interface RequireAuthOptions {
  /** For page-like routes: redirect (302) here instead of answering 401 JSON. */
  redirectTo?: string;
}

/**
 * Guards a route handler: `handler` runs only for a signed-in caller, and gets who it is as its
 * third argument. Reads the credential from the request itself, so it works on every runtime.
 *
 * ```ts
 * export const GET = requireAuth(auth, (request, context, { user }) => Response.json({ user }));
 * ```
 */
export function requireAuth<Context = unknown>(
  auth: Auth,
  handler: (request: Request, context: Context, caller: AuthResult) => Response | Promise<Response>,
  options: RequireAuthOptions = {},
): (request: Request, context: Context) => Promise<Response> {
  const { redirectTo } = options;
  assertSitePath("requireAuth", redirectTo);
  return async function guarded(request, context) {
    const caller = await auth.authenticate(request.headers);
    if (caller) return handler(request, context, caller);
    return redirectTo === undefined
      ? unauthenticatedResponse()
      : signInRedirect(request, redirectTo);
  };
}
