import type { ResolvedConfig } from "../config/config.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request may change state. Browsers send `Origin` on every cross-site and same-site
 * POST, PATCH and DELETE, so a trusted Origin (or `Sec-Fetch-Site: same-origin`) proves the page
 * that sent it. A request with neither header and no cookie is no browser's: it carries no ambient
 * credential to abuse. Bearer requests never reach this check.
 */
export function passesCsrfCheck(request: Request, config: ResolvedConfig): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const origin = request.headers.get("origin");
  if (origin !== null) return config.allowedOrigins.has(origin);
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) return fetchSite === "same-origin";
  return !request.headers.has("cookie");
}
