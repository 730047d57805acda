import type { ResolvedConfig } from "../config/config.js";
import { readCookie } from "../util/cookies.js";
import { type HeadersInput, headerValue } from "../util/headers.js";

/** How a request says who it is. Bearer credentials are exempt from CSRF checks; cookies are not. */
export type Credential = { kind: "cookie"; token: string } | { kind: "bearer"; token: string };

/** The request's credential: an `Authorization: Bearer` header wins over the session cookie. */
export function readCredential(config: ResolvedConfig, headers: HeadersInput): Credential | null {
  const authorization = headerValue(headers, "authorization");
  if (authorization !== null) {
    const match = /^Bearer +([^\s]+)\s*$/i.exec(authorization);
    return match ? { kind: "bearer", token: match[1] as string } : null;
  }
  const token = readCookie(headerValue(headers, "cookie"), config.cookieName);
  return token ? { kind: "cookie", token } : null;
}
