import { resolveConfig } from "../src/config/config.js";
import { type AuthConfig, createAuth, memoryStorage, pbkdf2, type Storage } from "../src/index.js";

/** A fast hasher for tests: real PBKDF2, with the iteration count explicitly (and loudly) lowered. */
export const fastHasher = pbkdf2({ iterations: 1_000, dangerouslyWeak: true });

export const BASE_URL = "http://localhost:3000";
export const PASSWORD = "correct horse battery staple";

/** A controllable clock: starts at a fixed instant, moves only when told. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/**
 * An instance for tests, with two handles the public `Auth` does not give: `storage`, the
 * storage behind it, and `resolved`, its options with every default resolved.
 */
export function makeAuth(overrides: Partial<AuthConfig> = {}) {
  const options: AuthConfig = {
    baseURL: BASE_URL,
    secret: "test-secret-that-is-at-least-32-bytes-long",
    storage: memoryStorage(),
    passwordHasher: fastHasher,
    ...overrides,
  };
  return Object.assign(createAuth(options), {
    storage: options.storage as Storage,
    resolved: resolveConfig(options),
  });
}

type Auth = ReturnType<typeof makeAuth>;

export interface CallOptions {
  body?: unknown;
  /** A raw body, sent as is (with `contentType` when given). */
  raw?: string;
  contentType?: string;
  cookie?: string;
  bearer?: string;
  origin?: string | null;
  headers?: Record<string, string>;
  clientIP?: string;
}

/**
 * Sends a request through `auth.handler` the way a browser on the app's own origin would:
 * state-changing requests carry `Origin` unless `origin: null` is given.
 */
export async function call(auth: Auth, method: string, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  const base = auth.config.baseURL.replace(/\/$/, "");
  if (options.body !== undefined) headers.set("content-type", "application/json");
  if (options.contentType) headers.set("content-type", options.contentType);
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.bearer) headers.set("authorization", `Bearer ${options.bearer}`);
  const origin = options.origin === undefined ? new URL(base).origin : options.origin;
  if (origin !== null && method !== "GET" && !headers.has("origin")) headers.set("origin", origin);
  const body =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const request = new Request(`${base}${path}`, { method, headers, body });
  const response = await auth.handler(request, { clientIP: options.clientIP });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Record<string, any>) : null;
  return { response, status: response.status, json, headers: response.headers };
}

/** The `name=value` pair of the session cookie a response set, for the next request's Cookie. */
export function sessionCookieFrom(response: Response): string {
  const header = response.headers.get("set-cookie");
  if (!header) throw new Error("no Set-Cookie on the response");
  return header.split(";")[0] as string;
}

/** The session token itself, as a Bearer credential. */
export function sessionTokenFrom(response: Response): string {
  return sessionCookieFrom(response).split("=")[1] as string;
}

export async function registered(auth: Auth, email = "ada@example.com", password = PASSWORD) {
  const result = await call(auth, "POST", "/auth/register", { body: { email, password } });
  if (result.status !== 201) throw new Error(`register failed: ${JSON.stringify(result.json)}`);
  // With emailVerification.required, registration signs nobody in: there is no session cookie
  // (only the registration binding, which is not a session).
  const cookie = result.json?.emailVerificationRequired ? "" : sessionCookieFrom(result.response);
  return { ...result, cookie, user: result.json?.user };
}

/**
 * A sign-in result (`auth.api.login` and the other sign-in functions) as the session it opened:
 * fails the test when the sign-in stopped at the MFA pending step instead.
 */
export function expectSignedIn<Result extends { mfaRequired?: boolean }>(
  result: Result,
): Exclude<Result, { mfaRequired: true }> {
  if (result.mfaRequired) throw new Error("the sign-in stopped at the MFA pending step");
  return result as Exclude<Result, { mfaRequired: true }>;
}
