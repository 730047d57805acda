import type { z } from "zod";
import type { AuthContext } from "../context/context.js";
import type { Credential } from "../credentials/read-credential.js";
import type { RateLimitAction } from "../ops/rate-limit-policies.js";
import type { AuthResult, RequestInfo } from "../types.js";
import type { BodyFormat } from "./body.js";
import type { ErrorFormat } from "./respond.js";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** A route's body: how it is read, and the schema it must pass before the route runs. */
export interface BodySpec<Schema extends z.ZodType = z.ZodType> {
  /**
   * The input schema, the flow's own where the body is a flow's input. The handler parses the
   * body with it and answers `invalid_request` (with `issues`) when it fails, so the route runs
   * only on valid input and gets it typed. `z.unknown()` where the route must check the body
   * itself (the comment there says why).
   */
  schema: Schema;
  /** The accepted encodings, JSON only by default; any other Content-Type is a 415. */
  formats?: readonly BodyFormat[];
  /**
   * The body may be left out (`fetch(url, { method: "POST" })`): a request without a
   * Content-Type reads as `{}`. One with a Content-Type is read as usual.
   */
  optional?: boolean;
}

/** What a route handler gets: the request, already parsed and (when asked) authenticated. */
export interface RouteRequest<
  Body = unknown,
  Caller extends AuthResult | null = AuthResult | null,
> {
  ctx: AuthContext;
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** The body as the route's schema outputs it; `undefined` for a route without `body`. */
  body: Body;
  credential: Credential | null;
  /** Who is calling: never null for an `auth: true` route, always null for the others. */
  caller: Caller;
  info: RequestInfo;
}

/** What the handler reads off a route before it runs it; see `defineRoute`. */
interface RouteOptions {
  method: Method;
  /** Below basePath, with `:name` segments, e.g. `/sessions/:id`. */
  path: string;
  /**
   * This GET changes state: it uses an emailed link (magic-link sign-in, email verification,
   * email-change confirmation or cancellation...). Mail scanners and link prefetchers send HEAD
   * to such links, so the handler answers a HEAD to a route with this flag without running it —
   * an empty `200` with `Cache-Control: no-store` — and the link stays valid for the GET the
   * recipient sends. Every route behind a link in a mail must set it. Only meaningful on GET: the
   * other methods are never matched by HEAD.
   */
  changesState?: boolean;
  /**
   * The feature the route belongs to (magic links, password reset...): while it is off the
   * route answers `not_found`. Checked after the body is read and before it is parsed, the
   * order the flows check it in (they check it too, for `auth.api`).
   */
  feature?: (ctx: AuthContext) => boolean;
  /**
   * Marks a credential endpoint, naming the `RATE_LIMIT_POLICIES` actions its requests count
   * under (several when what the request asks decides: `/token`'s grant types). The flows apply
   * these limits, so `auth.api` calls are limited alike; this declaration is what
   * test/http/route-table.test.ts holds every credential endpoint to: past the per-IP limit, 429.
   */
  rateLimit?: readonly RateLimitAction[];
  /**
   * A POST another site sends by design: an identity provider's `form_post` callback (Sign in
   * with Apple). The CSRF check is skipped for it, so such a route must change nothing on the
   * strength of the cookies it gets: the OAuth one only redirects to its GET twin, where the
   * state cookie is checked.
   */
  crossSitePost?: boolean;
  /**
   * false: the route takes its credentials from the body alone (the OAuth token endpoints: a
   * password, a refresh token, a token to revoke), so the handler never reads the session cookie
   * for it (`credential` is a Bearer one or null) and skips the CSRF check, which guards what a
   * cookie lets a forged request do. A client that merely carries a cookie is not refused, and
   * its session is left alone.
   */
  readsCookies?: false;
  /**
   * "oauth": failures answer in RFC 6749 §5.2 form, `{ error, error_description }` (the OAuth
   * token endpoints, which OAuth clients parse); the library's error shape otherwise.
   */
  errorFormat?: ErrorFormat;
}

/** A route as the handler and the router see it, its body's type erased. */
export interface Route extends RouteOptions {
  /** The caller must be signed in; otherwise the route answers `unauthenticated`. */
  auth?: boolean;
  /** Read and parse a body before the route runs; without it no body is read. */
  body?: BodySpec;
  handle(request: RouteRequest): Promise<Response>;
}

/** A route as it is written: `handle` typed by the `auth` flag and the body schema. */
export interface RouteDefinition<Auth extends boolean, Schema extends z.ZodType>
  extends RouteOptions {
  /** The caller must be signed in; otherwise the route answers `unauthenticated`. */
  auth?: Auth;
  body?: BodySpec<Schema>;
  handle(
    request: RouteRequest<
      [Schema] extends [never] ? undefined : z.output<Schema>,
      Auth extends true ? AuthResult : null
    >,
  ): Promise<Response>;
}

/**
 * Declares a route. The handler guarantees what the types say: an `auth: true` route runs only
 * for a signed-in caller (`caller` is never null), and a route with `body` runs only once the
 * body passed its schema (`body` is the schema's output; a failure answers `invalid_request`
 * with `issues` before the route, and so before any flow, runs).
 */
export function defineRoute<Auth extends boolean = false, Schema extends z.ZodType = never>(
  definition: RouteDefinition<Auth, Schema>,
): Route {
  return definition as unknown as Route;
}
