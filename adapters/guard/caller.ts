import type { Auth, AuthResult, HeadersInput } from "../../src/index.js";

/**
 * Where the Node-style adapters (Express, Fastify) keep a request's caller: a `Symbol.for` slot,
 * so `authed(req)` finds it whatever property name the app chose and whichever copy of the
 * adapter (ESM or CJS) set it, and no other library's `req.auth` is ever mistaken for it.
 */
const CALLER = Symbol.for("portcullis.caller");

type WithCaller = { [CALLER]?: AuthResult | null };

/**
 * The caller, authenticated once per request (a guard earlier in the chain already looked; the
 * core fails closed to null), also written to `request[property]`.
 */
export async function loadCaller(
  auth: Auth,
  request: object & { headers: HeadersInput },
  property: string,
): Promise<AuthResult | null> {
  const slot = request as WithCaller;
  if (slot[CALLER] === undefined) slot[CALLER] = await auth.authenticate(request.headers);
  (request as Record<string, unknown>)[property] = slot[CALLER];
  return slot[CALLER];
}

/** The caller a guard found on this request: null when signed out, undefined when none looked. */
export function callerOf(request: object): AuthResult | null | undefined {
  return (request as WithCaller)[CALLER];
}
