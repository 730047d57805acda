import type { ResolvedConfig } from "../config/config.js";
import { serializeCookie } from "../util/cookies.js";

/*
 * The cookie of a sign-in's pending step (DESIGN §7): the single-use token that
 * `POST <basePath>/mfa/verify` reads to complete the sign-in with a second factor. Its own name,
 * so nothing that reads the session cookie ever sees it; HttpOnly and SameSite=Lax like the
 * session cookie, and sent only to the auth routes (Path = basePath). `__Host-` requires Path=/,
 * so when the session cookie is Secure this one carries `__Secure-`, which still forbids a
 * non-Secure origin from setting or overwriting it. Host-only: it has no Domain even where the
 * session cookie has one.
 */

export function pendingSignInCookieName(config: ResolvedConfig): string {
  const name = `${config.session.cookieName}.mfa`;
  return config.secure ? `__Secure-${name}` : name;
}

function attributes(config: ResolvedConfig, maxAge: number) {
  return {
    maxAge,
    path: config.basePath,
    httpOnly: true,
    secure: config.secure,
    sameSite: "Lax" as const,
  };
}

/** Lives exactly as long as the pending step it carries (10 minutes at most). */
export function pendingSignInCookie(
  config: ResolvedConfig,
  token: string,
  expiresAt: Date,
  now: Date,
): string {
  const maxAge = (expiresAt.getTime() - now.getTime()) / 1000;
  return serializeCookie(pendingSignInCookieName(config), token, attributes(config, maxAge));
}

export function clearedPendingSignInCookie(config: ResolvedConfig): string {
  return serializeCookie(pendingSignInCookieName(config), "", attributes(config, 0));
}
