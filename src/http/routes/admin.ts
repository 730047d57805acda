import type { AuthContext } from "../../context/context.js";
import { authenticateCredential } from "../../credentials/authenticate.js";
import type { Credential } from "../../credentials/read-credential.js";
import { constantTimeEqual } from "../../crypto/constant-time.js";
import { sha256Base64url } from "../../crypto/sha256.js";
import { AuthError } from "../../errors.js";
import { findUsers } from "../../flows/admin-find-users.js";
import { adminStats } from "../../flows/admin-stats.js";
import {
  deleteUser,
  disableUser,
  enableUser,
  getUser,
  revokeAllUserSessions,
} from "../../flows/admin-users.js";
import { resetMfa } from "../../flows/mfa-admin.js";
import { listAuditEvents } from "../../ops/audit-log.js";

type AuditQueryInput = Parameters<typeof listAuditEvents>[1];

import { errorResponse, json, noContent } from "../respond.js";
import { defineRoute, type Route, type RouteRequest } from "../route.js";

/*
 * `/auth/admin/*` (DESIGN §6): `auth.api.admin` over HTTP, only with the `admin` option (without
 * it every route answers 404 like an unknown one). Each route checks its caller itself, as
 * `/auth/metrics` does, instead of `auth: true`: the admin token is read here and never handed
 * to the session reader, so it can never pass for a session token or a JWT, and a session or JWT
 * can never pass for it. Requests with the token are Bearer requests, exempt from the CSRF check;
 * an administrator's cookie requests that change state go through it like every cookie request
 * (the handler checks it before any route runs).
 */

const adminEnabled = (ctx: AuthContext) =>
  ctx.config.admin?.token !== undefined || ctx.config.admin?.isAdmin !== undefined;

function unauthenticated(message: string): AuthError {
  return new AuthError("unauthenticated", message);
}

/**
 * Lets the request through when it carries the admin token (SHA-256 of both sides compared in
 * constant time, at a fixed length: neither timing nor length tells anything about the token), or
 * a session or access JWT of a user `admin.isAdmin` accepts. Otherwise 401 (no credential, a
 * wrong token, a dead session) or 403 (a signed-in user who is not an administrator).
 */
async function requireAdmin(ctx: AuthContext, credential: Credential | null): Promise<void> {
  const { token, isAdmin } = ctx.config.admin ?? {};
  const bearer = credential?.kind === "bearer" ? credential.token : null;
  if (
    token !== undefined &&
    bearer !== null &&
    constantTimeEqual(sha256Base64url(bearer), sha256Base64url(token))
  ) {
    return;
  }
  if (!isAdmin) {
    throw unauthenticated("Send the admin token as Authorization: Bearer");
  }
  const caller = await authenticateCredential(ctx, credential);
  if (!caller) throw unauthenticated("Sign in as an administrator, or send the admin token");
  // A throwing isAdmin fails closed: the handler answers `internal` and logs it.
  if ((await isAdmin(caller.user)) !== true) {
    throw new AuthError("forbidden", "This account is not an administrator");
  }
}

/** A 401 names the scheme, as RFC 6750 asks, when a token is what would let the caller in. */
function answerFailure(ctx: AuthContext, error: unknown): Response {
  const response = errorResponse(error, ctx.config.logger);
  if (response.status === 401 && ctx.config.admin?.token !== undefined) {
    response.headers.set("WWW-Authenticate", 'Bearer realm="admin"');
  }
  return response;
}

/**
 * The query string as an object of strings, for the flows' schemas (which refuse unknown names).
 * Empty values count as left out (`?query=&cursor=`), and a name given twice is refused rather
 * than one of its values silently chosen.
 */
function queryInput(url: URL): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (Object.hasOwn(input, name)) {
      throw new AuthError("invalid_request", `query parameter ${name} is given more than once`);
    }
    if (value !== "") input[name] = value;
  }
  return input;
}

type AdminHandler = (request: RouteRequest<undefined, null>) => Promise<Response>;

/** A route of the admin API: off without the option, its caller checked before it runs. */
function adminRoute(method: "GET" | "POST" | "DELETE", path: string, handle: AdminHandler): Route {
  return defineRoute({
    method,
    path,
    feature: adminEnabled,
    async handle(request) {
      try {
        await requireAdmin(request.ctx, request.credential);
      } catch (error) {
        return answerFailure(request.ctx, error);
      }
      return handle(request);
    },
  });
}

const userId = (params: Record<string, string>) => params.id as string;

export const adminRoutes: Route[] = [
  adminRoute("GET", "/admin/stats", async ({ ctx }) => json(200, await adminStats(ctx))),
  adminRoute("GET", "/admin/users", async ({ ctx, url }) =>
    json(200, await findUsers(ctx, queryInput(url))),
  ),
  adminRoute("GET", "/admin/users/:id", async ({ ctx, params }) =>
    json(200, await getUser(ctx, userId(params))),
  ),
  adminRoute("POST", "/admin/users/:id/disable", async ({ ctx, params, info }) =>
    json(200, { user: await disableUser(ctx, userId(params), info) }),
  ),
  adminRoute("POST", "/admin/users/:id/enable", async ({ ctx, params, info }) =>
    json(200, { user: await enableUser(ctx, userId(params), info) }),
  ),
  adminRoute("DELETE", "/admin/users/:id/sessions", async ({ ctx, params }) =>
    json(200, { revoked: await revokeAllUserSessions(ctx, userId(params)) }),
  ),
  adminRoute("DELETE", "/admin/users/:id/mfa", async ({ ctx, params, info }) =>
    json(200, { reset: await resetMfa(ctx, userId(params), info) }),
  ),
  adminRoute("DELETE", "/admin/users/:id", async ({ ctx, params, info }) => {
    await deleteUser(ctx, userId(params), info);
    return noContent();
  }),
  adminRoute("GET", "/admin/audit", async ({ ctx, url }) =>
    // Strings as the query has them: the flow's schema parses them (and refuses a bad `type`).
    json(200, await listAuditEvents(ctx, queryInput(url) as AuditQueryInput)),
  ),
];
