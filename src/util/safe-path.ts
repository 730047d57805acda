import { ConfigError } from "../config-error.js";

/**
 * "Is this a path on this site?" for values an attacker can choose: `?next=` after sign-in, the
 * path a guard sends a visitor back to. Pure, Web APIs only, so it runs in browsers, on the
 * edge and in every adapter alike.
 *
 * Absolute targets (a magic link's `redirectTo`, an OAuth return) are a different question,
 * answered against baseURL and `trustedOrigins` by `allowedRedirect` in flows/redirect-target.ts.
 * The two agree: every path accepted here resolves against baseURL to baseURL's own origin.
 */

/** A base no real request has: the parsed value must keep exactly this origin. */
const PLACEHOLDER_ORIGIN = "http://x.invalid";

/**
 * C0 controls (tab, CR, LF: browsers delete them inside URLs, so `/\t/evil.example` becomes
 * `//evil.example`), DEL and C1 controls, every whitespace, and backslash (`/\evil.example` is
 * `//evil.example` to the URL parser).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\\\s]/u;
/**
 * Once percent-decoded, a plain space is harmless (`/search?q=a%20b`): it stays encoded in the
 * Location header and no browser deletes it. Controls and backslashes are refused still, for
 * apps that decode the value once more before using it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
const UNSAFE_DECODED = /[\u0000-\u001f\u007f-\u009f\\]/u;

/** Starts with exactly one `/` and holds nothing a later decode could turn into another host. */
function looksLikeSitePath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || UNSAFE.test(path)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false; // malformed percent-encoding: no path this site would link to
  }
  return !decoded.startsWith("//") && !UNSAFE_DECODED.test(decoded);
}

/**
 * The value as a path on this site (pathname + search + hash, rebuilt by the URL parser), or null.
 * Null for anything that is not a string, does not start with a single `/`, holds a backslash,
 * a control character or whitespace (controls and backslashes after percent-decoding too), or
 * that the URL parser
 * would take off this origin, dot segments included (`/.//evil.example` parses to
 * `//evil.example`, so the rebuilt path is checked again).
 */
export function sitePath(value: unknown): string | null {
  if (typeof value !== "string" || !looksLikeSitePath(value)) return null;
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN || url.username !== "" || url.password !== "") return null;
  const path = url.pathname + url.search + url.hash;
  return looksLikeSitePath(path) ? path : null;
}

/**
 * Where to send the browser next: `value` when it is a path on this site, `fallback` otherwise.
 * Use it on every `?next=`-style value before `redirect()` or `location.assign()`:
 *
 * ```ts
 * reply.redirect(safeRedirectPath(request.query.next, "/account"));
 * ```
 *
 * Accepted: `/account`, `/ok?x=1#y` (returned as the URL parser normalises it). Refused, so the
 * fallback is returned: `//evil.example`, `/\evil.example`, `/\t/evil.example` (and tab, CR, LF
 * anywhere), `/%09/evil.example`, `/%5Cevil.example`, `/%2F/evil.example`, `/.//evil.example`,
 * `https://evil.example`, `javascript:alert(1)`, relative paths, anything not a string. An
 * encoded space (`/search?q=a%20b`) is kept; encoded controls and backslashes are not. The fallback is your own constant and must itself be a path on
 * this site; anything else throws a TypeError at the first call.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  const path = sitePath(value);
  if (path !== null) return path;
  const safeFallback = sitePath(fallback);
  if (safeFallback === null) {
    throw new ConfigError(
      `safeRedirectPath: the fallback must be a path on this site, like "/" (got ${JSON.stringify(fallback)})`,
    );
  }
  return safeFallback;
}
