/**
 * The HTTP conformance suite every framework adapter passes: the same requests, over real
 * sockets on loopback, against a small app built with the adapter.
 *
 * Call it from a test file: `httpConformance("express", startServer)`. `startServer()` boots the
 * framework on 127.0.0.1:0 and resolves to `{ baseURL, close }`. The app it boots must have:
 *
 * - the auth routes under `/auth`, from `createAuth(conformanceAuthOptions())` (or options
 *   equivalent to it: baseURL `http://localhost:3000`, memory storage, the fast test hasher,
 *   default body limit and cookie name, per-IP rate limit raised so the suite is not throttled);
 * - `GET /api/me`, guarded by the adapter's API guard, answering 200 `{ user }` with the user
 *   taken from the framework's request state (`req.auth`, `request.auth`, `c.get("auth")`, ...);
 * - `POST /api/echo`, answering 200 `{ body }` with the JSON body as the framework's own body
 *   parsing sees it: the auth handler must not break the app's body parsing, nor the reverse;
 * - with `{ pageGuard: true }`: `GET /private`, guarded by the adapter's page guard with
 *   `redirectTo: "/sign-in"`, answering 200 with any body when signed in.
 *
 * The server is booted once per suite; each test signs up its own user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthConfig, memoryStorage } from "../../src/index.js";
import { fastHasher, PASSWORD } from "../helpers.js";

/** The app's own origin as the auth config knows it: the origin CSRF trusts. */
export const CONFORMANCE_ORIGIN = "http://localhost:3000";

/** The auth options every conformance app uses. A fresh memory store per call. */
export function conformanceAuthOptions(): AuthConfig {
  return {
    baseURL: CONFORMANCE_ORIGIN,
    secret: "conformance-secret-that-is-at-least-32-bytes",
    storage: memoryStorage(),
    passwordHasher: fastHasher,
    rateLimit: { perIP: { max: 10_000 } },
  };
}

export interface ConformanceServer {
  /** Where the server listens, e.g. `http://127.0.0.1:53123`. */
  baseURL: string;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  /** The app serves `GET /private` behind a page guard that redirects to `/sign-in`. */
  pageGuard?: boolean;
}

interface SendOptions {
  json?: unknown;
  raw?: string;
  contentType?: string;
  cookie?: string;
  bearer?: string;
  /** Sent on every non-GET request unless null; defaults to the app's own origin. */
  origin?: string | null;
  headers?: Record<string, string>;
}

const COOKIE_NAME = "portcullis.session";
const ERROR_SHAPE = {
  error: { code: expect.any(String), message: expect.any(String) },
};

export function httpConformance(
  name: string,
  startServer: () => Promise<ConformanceServer>,
  options: ConformanceOptions = {},
) {
  describe(`HTTP conformance: ${name}`, () => {
    let server: ConformanceServer;
    let userCount = 0;

    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    async function send(method: string, path: string, opts: SendOptions = {}) {
      const headers = new Headers(opts.headers);
      if (opts.json !== undefined) headers.set("content-type", "application/json");
      if (opts.contentType) headers.set("content-type", opts.contentType);
      if (opts.cookie) headers.set("cookie", opts.cookie);
      if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
      const origin = opts.origin === undefined ? CONFORMANCE_ORIGIN : opts.origin;
      if (origin !== null && method !== "GET" && method !== "HEAD" && !headers.has("origin")) {
        headers.set("origin", origin);
      }
      const body = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
      const response = await fetch(`${server.baseURL}${path}`, {
        method,
        headers,
        body,
        redirect: "manual",
      });
      const text = await response.text();
      const isJSON = response.headers.get("content-type")?.includes("application/json");
      const json = isJSON && text ? (JSON.parse(text) as Record<string, any>) : null;
      return { status: response.status, headers: response.headers, json, text };
    }

    function cookieOf(headers: Headers): string {
      const setCookie = headers.getSetCookie().find((c) => c.startsWith(`${COOKIE_NAME}=`));
      if (!setCookie) throw new Error(`no ${COOKIE_NAME} cookie in ${headers.getSetCookie()}`);
      return setCookie.split(";")[0] as string;
    }

    async function signUp() {
      userCount += 1;
      const email = `user${userCount}-${Date.now()}@example.com`;
      const res = await send("POST", "/auth/register", { json: { email, password: PASSWORD } });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
      return { email, cookie: cookieOf(res.headers), user: res.json?.user };
    }

    async function signIn(email: string, password = PASSWORD) {
      const res = await send("POST", "/auth/login", { json: { email, password } });
      if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
      return cookieOf(res.headers);
    }

    describe("routes", () => {
      it("GET /auth/health and /auth/ready answer 200 { status: ok }, uncacheable", async () => {
        for (const path of ["/auth/health", "/auth/ready"]) {
          const res = await send("GET", path);
          expect(res.status).toBe(200);
          expect(res.json).toEqual({ status: "ok" });
          expect(res.headers.get("cache-control")).toBe("no-store");
          expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        }
      });

      it("POST /auth/register answers 201 { user } and a HttpOnly, Lax, host-wide cookie", async () => {
        const email = `fresh-${Date.now()}@example.com`;
        const res = await send("POST", "/auth/register", {
          json: { email, password: PASSWORD, name: "Ada" },
        });
        expect(res.status).toBe(201);
        expect(res.json?.user).toMatchObject({ email, name: "Ada", emailVerified: false });
        const setCookie = res.headers.getSetCookie();
        expect(setCookie).toHaveLength(1);
        const attributes = (setCookie[0] as string).split("; ");
        expect(attributes[0]).toMatch(new RegExp(`^${COOKIE_NAME}=[A-Za-z0-9_.-]{43,}$`));
        expect(attributes).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Lax", "Path=/"]));
        // http baseURL: no Secure, so no __Host- prefix either.
        expect(attributes).not.toContain("Secure");
      });

      it("POST /auth/login answers 200 { user } and a new cookie; a wrong password is 401", async () => {
        const { email, user } = await signUp();
        const ok = await send("POST", "/auth/login", { json: { email, password: PASSWORD } });
        expect(ok.status).toBe(200);
        expect(ok.json?.user.id).toBe(user.id);
        expect(cookieOf(ok.headers)).toMatch(`${COOKIE_NAME}=`);

        const wrong = await send("POST", "/auth/login", {
          json: { email, password: "not the password at all" },
        });
        expect(wrong.status).toBe(401);
        expect(wrong.json).toMatchObject({ error: { code: "invalid_credentials" } });
        expect(wrong.headers.getSetCookie()).toEqual([]);
      });

      it("GET /auth/session answers { user, session } for the cookie, 401 without it", async () => {
        const { cookie, user } = await signUp();
        const res = await send("GET", "/auth/session", { cookie });
        expect(res.status).toBe(200);
        expect(res.json?.user.id).toBe(user.id);
        expect(res.json?.session.userId).toBe(user.id);

        const anonymous = await send("GET", "/auth/session");
        expect(anonymous.status).toBe(401);
        expect(anonymous.json).toMatchObject({ error: { code: "unauthenticated" } });
      });

      it("GET /auth/session accepts the session token as a Bearer credential", async () => {
        const { cookie, user } = await signUp();
        const res = await send("GET", "/auth/session", { bearer: cookie.split("=")[1] });
        expect(res.status).toBe(200);
        expect(res.json?.user.id).toBe(user.id);
      });

      it("POST /auth/logout answers 204, clears the cookie and ends the session", async () => {
        const { cookie } = await signUp();
        const res = await send("POST", "/auth/logout", { cookie });
        expect(res.status).toBe(204);
        expect(res.headers.getSetCookie()[0]).toMatch(new RegExp(`^${COOKIE_NAME}=;.*Max-Age=0`));
        expect((await send("GET", "/auth/session", { cookie })).status).toBe(401);
      });

      it("GET /auth/sessions lists every session, the current one marked", async () => {
        const { email, cookie } = await signUp();
        await signIn(email);
        const res = await send("GET", "/auth/sessions", { cookie });
        expect(res.status).toBe(200);
        expect(res.json?.sessions).toHaveLength(2);
        const current = res.json?.sessions.filter((s: { current: boolean }) => s.current);
        expect(current).toHaveLength(1);
      });

      it("DELETE /auth/sessions/:id revokes that session; an unknown id is 404", async () => {
        const { email, cookie } = await signUp();
        const other = await signIn(email);
        const list = await send("GET", "/auth/sessions", { cookie });
        const target = list.json?.sessions.find((s: { current: boolean }) => !s.current);
        const res = await send("DELETE", `/auth/sessions/${target.id}`, { cookie });
        expect(res.status).toBe(204);
        expect((await send("GET", "/auth/session", { cookie: other })).status).toBe(401);
        expect((await send("GET", "/auth/session", { cookie })).status).toBe(200);

        const unknown = await send("DELETE", "/auth/sessions/no-such-session", { cookie });
        expect(unknown.status).toBe(404);
        expect(unknown.json).toMatchObject({ error: { code: "not_found" } });
      });

      it("POST /auth/sessions/revoke-others ends every other session, keeps this one", async () => {
        const { email, cookie } = await signUp();
        const others = [await signIn(email), await signIn(email)];
        const res = await send("POST", "/auth/sessions/revoke-others", { cookie });
        expect(res.status).toBe(204);
        for (const other of others) {
          expect((await send("GET", "/auth/session", { cookie: other })).status).toBe(401);
        }
        expect((await send("GET", "/auth/session", { cookie })).status).toBe(200);
      });

      it("POST /auth/password/change answers 204; the new password signs in, the old one not", async () => {
        const { email, cookie } = await signUp();
        const other = await signIn(email);
        const newPassword = "a brand new passphrase for this account";
        const res = await send("POST", "/auth/password/change", {
          cookie,
          json: { currentPassword: PASSWORD, newPassword },
        });
        expect(res.status).toBe(204);
        expect((await send("GET", "/auth/session", { cookie: other })).status).toBe(401);
        const old = await send("POST", "/auth/login", { json: { email, password: PASSWORD } });
        expect(old.status).toBe(401);
        expect(await signIn(email, newPassword)).toMatch(`${COOKIE_NAME}=`);
      });

      it("POST /auth/token takes a form-encoded password grant, then a JSON refresh grant", async () => {
        const { email } = await signUp();
        const form = new URLSearchParams({
          grant_type: "password",
          username: email,
          password: PASSWORD,
        });
        const issued = await send("POST", "/auth/token", {
          raw: form.toString(),
          contentType: "application/x-www-form-urlencoded",
        });
        expect(issued.status, issued.text).toBe(200);
        expect(issued.json).toMatchObject({
          token_type: "Bearer",
          access_token: expect.any(String),
          refresh_token: expect.any(String),
          expires_in: expect.any(Number),
        });
        expect(issued.headers.getSetCookie()).toEqual([]);
        const refreshed = await send("POST", "/auth/token", {
          json: { grant_type: "refresh_token", refresh_token: issued.json?.refresh_token },
        });
        expect(refreshed.status, refreshed.text).toBe(200);
        expect(refreshed.json?.refresh_token).not.toBe(issued.json?.refresh_token);
      });

      it("GET /auth/jwks answers the public keys", async () => {
        const res = await send("GET", "/auth/jwks");
        expect(res.status).toBe(200);
        expect(res.json?.keys.length).toBeGreaterThan(0);
        expect(res.json?.keys[0]).not.toHaveProperty("d");
      });

      it("keeps the query string: /auth/health?probe=1 still routes", async () => {
        const res = await send("GET", "/auth/health?probe=1");
        expect(res.status).toBe(200);
      });

      it("answers a CORS preflight for the trusted origin", async () => {
        const res = await send("OPTIONS", "/auth/login", {
          headers: { "access-control-request-method": "POST" },
        });
        expect(res.status).toBe(204);
        expect(res.headers.get("access-control-allow-origin")).toBe(CONFORMANCE_ORIGIN);
        expect(res.headers.get("access-control-allow-credentials")).toBe("true");
      });
    });

    describe("CSRF through the real server", () => {
      it("rejects a cookie-authenticated POST from a foreign Origin, and the session survives", async () => {
        const { cookie } = await signUp();
        const res = await send("POST", "/auth/logout", { cookie, origin: "https://evil.example" });
        expect(res.status).toBe(403);
        expect(res.json).toMatchObject({ error: { code: "csrf_rejected" } });
        expect((await send("GET", "/auth/session", { cookie })).status).toBe(200);
      });

      it("rejects a cookie-authenticated POST with neither Origin nor Sec-Fetch-Site", async () => {
        const { cookie } = await signUp();
        const res = await send("POST", "/auth/sessions/revoke-others", { cookie, origin: null });
        expect(res.status).toBe(403);
        expect(res.json).toMatchObject({ error: { code: "csrf_rejected" } });
      });

      it("rejects Sec-Fetch-Site: cross-site, accepts same-origin", async () => {
        const { cookie } = await signUp();
        const cross = await send("POST", "/auth/sessions/revoke-others", {
          cookie,
          origin: null,
          headers: { "sec-fetch-site": "cross-site" },
        });
        expect(cross.status).toBe(403);
        const same = await send("POST", "/auth/sessions/revoke-others", {
          cookie,
          origin: null,
          headers: { "sec-fetch-site": "same-origin" },
        });
        expect(same.status).toBe(204);
      });

      it("does not apply to Bearer requests, which no browser sends on its own", async () => {
        const { cookie } = await signUp();
        const res = await send("POST", "/auth/sessions/revoke-others", {
          bearer: cookie.split("=")[1],
          origin: "https://evil.example",
        });
        expect(res.status).toBe(204);
      });

      it("checks before reading the body: a foreign login attempt is 403, not 401", async () => {
        const { email, cookie } = await signUp();
        const res = await send("POST", "/auth/login", {
          cookie,
          origin: "https://evil.example",
          json: { email, password: PASSWORD },
        });
        expect(res.status).toBe(403);
      });
    });

    describe("error shape", () => {
      it("404 not_found for an unknown route below /auth", async () => {
        const res = await send("GET", "/auth/no-such-route");
        expect(res.status).toBe(404);
        expect(res.json).toEqual({ error: { code: "not_found", message: expect.any(String) } });
      });

      it("405 method_not_allowed with Allow for a known path", async () => {
        const res = await send("GET", "/auth/login");
        expect(res.status).toBe(405);
        expect(res.json).toMatchObject({ error: { code: "method_not_allowed" } });
        expect(res.headers.get("allow")).toBe("POST");
      });

      it("415 unsupported_media_type for a body that is not JSON", async () => {
        const res = await send("POST", "/auth/register", {
          raw: "email=a@example.com",
          contentType: "text/plain",
        });
        expect(res.status).toBe(415);
        expect(res.json).toMatchObject({ error: { code: "unsupported_media_type" } });
      });

      it("413 payload_too_large for a body over 64 KiB", async () => {
        const res = await send("POST", "/auth/login", {
          json: { email: "big@example.com", password: "x".repeat(70 * 1024) },
        });
        expect(res.status).toBe(413);
        expect(res.json).toMatchObject({ error: { code: "payload_too_large" } });
      });

      it("400 invalid_request for malformed JSON", async () => {
        const res = await send("POST", "/auth/login", {
          raw: '{"email": "a@example.com", ',
          contentType: "application/json",
        });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ error: { code: "invalid_request" } });
      });

      it("400 invalid_request with zod issues for a well-formed but wrong body", async () => {
        const res = await send("POST", "/auth/register", { json: { email: "nope", password: 7 } });
        expect(res.status).toBe(400);
        expect(res.json?.error.code).toBe("invalid_request");
        expect(res.json?.error.issues.length).toBeGreaterThan(0);
      });
    });

    describe("guard", () => {
      it("GET /api/me is 401 in the error shape without a credential", async () => {
        const res = await send("GET", "/api/me");
        expect(res.status).toBe(401);
        expect(res.json).toMatchObject(ERROR_SHAPE);
        expect(res.json?.error.code).toBe("unauthenticated");
      });

      it("GET /api/me is 401 for a forged or revoked session", async () => {
        const forged = await send("GET", "/api/me", {
          cookie: `${COOKIE_NAME}=${"A".repeat(43)}`,
        });
        expect(forged.status).toBe(401);
        const { cookie } = await signUp();
        await send("POST", "/auth/logout", { cookie });
        expect((await send("GET", "/api/me", { cookie })).status).toBe(401);
      });

      it("GET /api/me is 200 with the signed-in user, by cookie and by Bearer", async () => {
        const { cookie, user } = await signUp();
        const byCookie = await send("GET", "/api/me", { cookie });
        expect(byCookie.status).toBe(200);
        expect(byCookie.json?.user.id).toBe(user.id);
        const byBearer = await send("GET", "/api/me", { bearer: cookie.split("=")[1] });
        expect(byBearer.status).toBe(200);
        expect(byBearer.json?.user.id).toBe(user.id);
      });

      if (options.pageGuard) {
        it("the page guard redirects to /sign-in when signed out, serves the page when in", async () => {
          const out = await send("GET", "/private");
          expect([302, 303, 307]).toContain(out.status);
          expect(new URL(out.headers.get("location") ?? "", server.baseURL).pathname).toBe(
            "/sign-in",
          );
          const { cookie } = await signUp();
          expect((await send("GET", "/private", { cookie })).status).toBe(200);
        });
      }
    });

    describe("body-parser coexistence", () => {
      it("the app's own JSON route still sees its parsed body", async () => {
        const res = await send("POST", "/api/echo", { json: { hello: "world", n: [1, 2] } });
        expect(res.status).toBe(200);
        expect(res.json).toEqual({ body: { hello: "world", n: [1, 2] } });
      });

      it("auth routes still read their JSON body, unicode included", async () => {
        const email = `unicode-${Date.now()}@example.com`;
        const res = await send("POST", "/auth/register", {
          json: { email, password: PASSWORD, name: "Zoë Ünïcødé 🦊" },
        });
        expect(res.status).toBe(201);
        expect(res.json?.user.name).toBe("Zoë Ünïcødé 🦊");
        const echo = await send("POST", "/api/echo", { json: { after: true } });
        expect(echo.json).toEqual({ body: { after: true } });
      });
    });
  });
}
