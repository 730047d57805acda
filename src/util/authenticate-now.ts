import type { AuthResult } from "../types.js";
import type { HeadersInput } from "./headers.js";

/*
 * The framework guards' way in to authentication (internal: the package does not export it).
 * `auth.authenticate` always answers with a promise. What the guards call answers at once when
 * the instance can tell without waiting (no credential, a malformed one, or a session-cache
 * hit) and with a promise otherwise: a guarded route that answers in 30 µs feels every promise
 * and every `await` between the socket and the cache, and on a hit there is nothing to wait for.
 */

/** The caller, now or later; an outage throws or rejects with `AuthError("unavailable")`. */
export type CallerNowOrLater = AuthResult | null | Promise<AuthResult | null>;

/** `authenticate(headers, { onUnavailable: "throw" })`, without a promise when none is needed. */
export type AuthenticateNow = (headers: HeadersInput) => CallerNowOrLater;

/**
 * Where `createAuth` puts it on the instance, not enumerable: a `Symbol.for` key, so every copy
 * of an adapter (ESM or CJS) finds it, and nothing else mistakes it for its own.
 */
export const AUTHENTICATE_NOW = Symbol.for("portcullis.authenticate-now");

interface Authenticates {
  authenticate(
    headers: HeadersInput,
    options: { onUnavailable: "throw" },
  ): Promise<AuthResult | null>;
}

/** The instance's `AuthenticateNow`, or `authenticate` itself when the instance has none. */
export function authenticateNowOf(auth: Authenticates): AuthenticateNow {
  const own = (auth as { [AUTHENTICATE_NOW]?: unknown })[AUTHENTICATE_NOW];
  if (typeof own === "function") return own as AuthenticateNow;
  return (headers) => auth.authenticate(headers, { onUnavailable: "throw" });
}
