import type { ResolvedConfig } from "../config/config.js";

const ALLOWED_METHODS = "GET, POST, PATCH, DELETE";
const ALLOWED_HEADERS = "Content-Type, Authorization";

/**
 * CORS for browser clients on trusted origins. Credentials are allowed only for an origin that
 * is trusted, echoed by name; never `*`.
 */
export function applyCors(request: Request, headers: Headers, config: ResolvedConfig) {
  headers.append("Vary", "Origin");
  const origin = request.headers.get("origin");
  if (origin === null || !config.allowedOrigins.has(origin)) return;
  headers.set("Access-Control-Allow-Origin", origin);
  headers.set("Access-Control-Allow-Credentials", "true");
  // A 429's Retry-After is for the client's script too, not only the browser.
  headers.set("Access-Control-Expose-Headers", "Retry-After");
}

/** Answer to a preflight: permissive for trusted origins, silent (so the browser refuses) otherwise. */
export function preflightResponse(request: Request, config: ResolvedConfig): Response {
  const headers = new Headers();
  applyCors(request, headers, config);
  if (headers.has("Access-Control-Allow-Origin")) {
    headers.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
    headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    headers.set("Access-Control-Max-Age", "600");
  }
  return new Response(null, { status: 204, headers });
}
