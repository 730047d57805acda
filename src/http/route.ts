import type { AuthContext } from "../context/context.js";
import type { Credential } from "../credentials/read-credential.js";
import type { AuthResult, RequestInfo } from "../types.js";
import type { BodyFormat } from "./body.js";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** What a route handler gets: the request, already parsed and (when asked) authenticated. */
export interface RouteRequest {
  ctx: AuthContext;
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** The parsed body, for routes that declare `body`; validate it with the flow's schema. */
  body: unknown;
  credential: Credential | null;
  /** The caller, for routes that declare `auth: true`; null otherwise. */
  auth: AuthResult | null;
  info: RequestInfo;
}

export interface Route {
  method: Method;
  /** Below basePath, with `:name` segments, e.g. `/sessions/:id`. */
  path: string;
  /** The caller must be signed in; otherwise the route answers `unauthenticated`. */
  auth?: boolean;
  /** Read a body in these formats before the handler runs; without it no body is read. */
  body?: BodyFormat[];
  /**
   * This GET changes state: it uses an emailed link (magic-link sign-in, email verification,
   * email-change confirmation or cancellation...). Mail scanners and link prefetchers send HEAD
   * to such links, so the handler answers a HEAD to a route with this flag without running it —
   * an empty `200` with `Cache-Control: no-store` — and the link stays valid for the GET the
   * recipient sends. Every route behind a link in a mail must set it. Only meaningful on GET: the
   * other methods are never matched by HEAD.
   */
  changesState?: boolean;
  handle(request: RouteRequest): Promise<Response>;
}

/** A signed-in route's caller: `auth` is guaranteed by the handler when `auth: true`. */
export function caller(request: RouteRequest): AuthResult {
  if (!request.auth) throw new Error("route declared without auth: true");
  return request.auth;
}
