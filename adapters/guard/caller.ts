import type { Auth, AuthResult, HeadersInput } from "../../src/index.js";
import { authenticateNowOf, type CallerNowOrLater } from "../../src/util/authenticate-now.js";

/**
 * Where the guards keep a request's caller: `Symbol.for` slots, so `authed(req)` finds it
 * whatever property name the app chose and whichever copy of the adapter (ESM or CJS) set it,
 * and no other library's `req.auth` is ever mistaken for it. `OUTAGE` remembers that the caller
 * could not be determined, so a `requireAuth` after a `withAuth` on the same request answers
 * 503 too, never 401 from the null `withAuth` wrote.
 */
const CALLER = Symbol.for("portcullis.caller");
const OUTAGE = Symbol.for("portcullis.caller-unavailable");

type Slots = { [CALLER]?: AuthResult | null; [OUTAGE]?: unknown };

/**
 * The caller of `request`, authenticated once per request object, whichever guard asks first.
 * Null when nobody is signed in; throws (or rejects with) `AuthError("unavailable")` when
 * storage (or the token keys) is down, each time it is asked for this request. Answers without
 * a promise when it can (see `AuthenticateNow`): a guard should only wait when there is
 * something to wait for.
 */
export function findCaller(auth: Auth, request: object, headers: HeadersInput): CallerNowOrLater {
  const slot = request as Slots;
  const known = slot[CALLER];
  if (known !== undefined) return known;
  if (OUTAGE in slot) throw slot[OUTAGE];
  let answer: CallerNowOrLater;
  try {
    answer = authenticateNowOf(auth)(headers);
  } catch (error) {
    slot[OUTAGE] = error;
    throw error;
  }
  if (!(answer instanceof Promise)) {
    slot[CALLER] = answer;
    return answer;
  }
  return answer.then(
    (caller) => {
      slot[CALLER] = caller;
      return caller;
    },
    (error) => {
      slot[OUTAGE] = error;
      throw error;
    },
  );
}

/**
 * `findCaller` for the Node-style adapters (Express, Fastify), also writing the caller to
 * `request[property]`: null when nobody is signed in or when it could not be determined.
 */
export async function loadCaller(
  auth: Auth,
  request: object & { headers: HeadersInput },
  property: string,
): Promise<AuthResult | null> {
  const target = request as Record<string, unknown>;
  try {
    const caller = await findCaller(auth, request, request.headers);
    target[property] = caller;
    return caller;
  } catch (error) {
    target[property] = null;
    throw error;
  }
}

/** The caller a guard found on this request: null when signed out, undefined when none looked. */
export function callerOf(request: object): AuthResult | null | undefined {
  const slot = request as Slots;
  return OUTAGE in slot ? null : slot[CALLER];
}
