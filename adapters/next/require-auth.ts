import type { AuthResult } from "../../src/index.js";
import {
  assertSitePath,
  signInRedirect,
  unauthenticatedResponse,
  unavailableResponse,
} from "./responses.js";
import { type AuthSource, assertSource, resolveSource } from "./source.js";

export interface RequireAuthOptions {
  /**
   * For page-like routes: redirect (303, with `?next=` set to the path asked for) here instead of
   * answering 401 JSON. Must be a path on this site, like "/sign-in" (checked at setup).
   */
  redirectTo?: string;
}

/** A route handler behind the guard: it gets the caller, never null, as its third argument. */
export type GuardedRouteHandler<Context = unknown> = (
  request: Request,
  context: Context,
  caller: AuthResult,
) => Response | Promise<Response>;

/**
 * Guards a route handler: `handler` runs only for a signed-in caller, and gets who it is as its
 * third argument. Reads the credential from the request itself, so it works on every runtime.
 * Signed out: 401, or with `redirectTo` a 303 to it. Storage down: 503 `unavailable` with
 * `Retry-After`, never the sign-in page.
 * With `defineAuth`, use the `requireAuth` it returns, which needs no first argument.
 *
 * ```ts
 * export const GET = requireAuth(auth, (request, context, { user }) => Response.json({ user }));
 * ```
 */
export function requireAuth<Context = unknown>(
  auth: AuthSource,
  handler: GuardedRouteHandler<Context>,
  options: RequireAuthOptions = {},
): (request: Request, context: Context) => Promise<Response> {
  assertSource("portcullis/next: requireAuth(auth, handler)", auth);
  const redirectTo = assertSitePath("requireAuth", options.redirectTo);
  return async function guarded(request, context) {
    let caller: AuthResult | null;
    try {
      caller = await resolveSource(auth).authenticate(request.headers, { onUnavailable: "throw" });
    } catch (error) {
      const outage = unavailableResponse(error);
      if (!outage) throw error;
      return outage;
    }
    if (caller) return handler(request, context, caller);
    return redirectTo === undefined
      ? unauthenticatedResponse()
      : signInRedirect(request, redirectTo);
  };
}
