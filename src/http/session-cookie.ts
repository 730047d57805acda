import type { ResolvedConfig } from "../config/config.js";
import { serializeCookie } from "../util/cookies.js";

function attributes(config: ResolvedConfig, maxAge: number) {
  return {
    maxAge,
    path: "/",
    httpOnly: true,
    secure: config.secure,
    sameSite: "Lax" as const,
    // A __Host- cookie must not name a Domain; the name only carries the prefix when none is set.
    ...(config.session.cookieDomain ? { domain: config.session.cookieDomain } : {}),
  };
}

/**
 * The session cookie lives as long as the session could at most; the server decides earlier
 * expiry, so sliding the session never needs a new cookie.
 */
export function sessionCookie(
  config: ResolvedConfig,
  token: string,
  absoluteExpiresAt: Date,
  now: Date,
) {
  const maxAge = (absoluteExpiresAt.getTime() - now.getTime()) / 1000;
  return serializeCookie(config.cookieName, token, attributes(config, maxAge));
}

export function clearedSessionCookie(config: ResolvedConfig) {
  return serializeCookie(config.cookieName, "", attributes(config, 0));
}

/**
 * The registering browser's binding, for `emailVerification.required` sign-ups (which get no
 * session): the verification link opened with it counts as the registrant's own. Named after
 * the session cookie, so the `__Host-` prefix and the domain rules follow it.
 */
export function registrationCookieName(config: ResolvedConfig) {
  return `${config.cookieName}.registration`;
}

export function registrationCookie(config: ResolvedConfig, binding: string, maxAge: number) {
  return serializeCookie(registrationCookieName(config), binding, attributes(config, maxAge));
}

export function clearedRegistrationCookie(config: ResolvedConfig) {
  return serializeCookie(registrationCookieName(config), "", attributes(config, 0));
}
