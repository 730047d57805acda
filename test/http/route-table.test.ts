import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AuthContext } from "../../src/context/context.js";
import { createHandler } from "../../src/http/handler.js";
import { defineRoute, type Route } from "../../src/http/route.js";
import { routes } from "../../src/http/routes/index.js";
import { github } from "../../src/oauth-providers/index.js";
import type { RateLimitAction } from "../../src/ops/rate-limit-policies.js";
import { BASE_URL, type CallOptions, call, makeAuth, PASSWORD, registered } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

/*
 * The route table (src/http/routes): each route declares its body schema, whether it needs a
 * caller, and, for a credential endpoint, the rate-limit actions it counts under. These tests
 * hold the handler and the table to what they declare.
 */

describe("a route's body schema", () => {
  function customHandler(
    route: Route,
    overrides: Parameters<typeof makeAuth>[0] = {},
  ): (init: RequestInit & { headers?: Record<string, string> }) => Promise<Response> {
    const auth = makeAuth(overrides);
    const ctx = { config: auth.resolved, now: () => new Date() } as unknown as AuthContext;
    const handler = createHandler(ctx, [route]);
    return (init) =>
      handler(
        new Request(`${BASE_URL}/auth/thing`, {
          method: "POST",
          ...init,
          headers: { origin: BASE_URL, ...init.headers },
        }),
      );
  }

  const schema = z.object({ email: z.email(), count: z.number().int() });

  it("refuses a body that fails it with 400 invalid_request and its issues, before the route runs", async () => {
    const ran: unknown[] = [];
    const send = customHandler(
      defineRoute({
        method: "POST",
        path: "/thing",
        body: { schema },
        async handle({ body }) {
          ran.push(body);
          return new Response(null, { status: 204 });
        },
      }),
    );
    const json = { "content-type": "application/json" };
    const bad = await send({ headers: json, body: JSON.stringify({ email: "nope", count: 1.5 }) });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: Record<string, unknown> };
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toEqual([
      { path: ["email"], message: expect.any(String) },
      { path: ["count"], message: expect.any(String) },
    ]);
    expect(ran).toEqual([]);
    // What passes reaches the route as the schema's output.
    const good = await send({ headers: json, body: JSON.stringify({ email: "a@b.co", count: 2 }) });
    expect(good.status).toBe(204);
    expect(ran).toEqual([{ email: "a@b.co", count: 2 }]);
  });

  it("keeps the order: Content-Type (415) and JSON syntax (400) first, then the feature (404), then the schema", async () => {
    let enabled = false;
    const send = customHandler(
      defineRoute({
        method: "POST",
        path: "/thing",
        feature: () => enabled,
        body: { schema },
        handle: async () => new Response(null, { status: 204 }),
      }),
    );
    const invalid = JSON.stringify({ email: "nope" });
    expect((await send({ headers: { "content-type": "text/plain" }, body: invalid })).status).toBe(
      415,
    );
    const json = { "content-type": "application/json" };
    expect((await send({ headers: json, body: "{nope" })).status).toBe(400);
    expect((await send({ headers: json, body: invalid })).status).toBe(404);
    enabled = true;
    expect((await send({ headers: json, body: invalid })).status).toBe(400);
  });

  it("reads an optional body as {} without a Content-Type, and as usual with one", async () => {
    const bodies: unknown[] = [];
    const send = customHandler(
      defineRoute({
        method: "POST",
        path: "/thing",
        body: { schema: z.object({ note: z.string().optional() }), optional: true },
        async handle({ body }) {
          bodies.push(body);
          return new Response(null, { status: 204 });
        },
      }),
    );
    expect((await send({})).status).toBe(204);
    expect(
      (await send({ headers: { "content-type": "application/json" }, body: '{"note":"x"}' }))
        .status,
    ).toBe(204);
    expect((await send({ headers: { "content-type": "text/plain" }, body: "x" })).status).toBe(415);
    expect(bodies).toEqual([{}, { note: "x" }]);
  });

  it("answers the flows' schemas on the real routes: issues, and nothing done", async () => {
    const mailer = captureMailer();
    const auth = makeAuth({ mailer, rateLimit: { perIP: { max: 1, window: 60 } } });
    const bad = await call(auth, "POST", "/auth/register", {
      body: { email: "not an email", password: PASSWORD },
      clientIP: "203.0.113.7",
    });
    expect(bad.status).toBe(400);
    expect(bad.json?.error).toMatchObject({
      code: "invalid_request",
      issues: [{ path: ["email"], message: "email must be an email address" }],
    });
    expect(await auth.storage.users.findByEmail("not an email")).toBeNull();
    const magic = await call(auth, "POST", "/auth/magic-link", {
      body: { email: "ada@example.com", type: "carrier pigeon" },
      clientIP: "203.0.113.7",
    });
    expect(magic.status).toBe(400);
    expect(magic.json?.error.issues[0].path).toEqual(["type"]);
    await auth.api.flushOutbox();
    expect(mailer.sent).toEqual([]);
    // Refused before any flow ran, so nothing counted toward the per-IP limit of 1 either.
    const good = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
      clientIP: "203.0.113.7",
    });
    expect(good.status).toBe(201);
  });

  it("still checks the caller before the body, and the origin before both", async () => {
    const auth = makeAuth();
    const invalid = { currentPassword: 42 };
    const anonymous = await call(auth, "POST", "/auth/password/change", { body: invalid });
    expect(anonymous.status).toBe(401);
    const { cookie } = await registered(auth);
    const foreign = await call(auth, "POST", "/auth/password/change", {
      body: invalid,
      cookie,
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    const signedIn = await call(auth, "POST", "/auth/password/change", { body: invalid, cookie });
    expect(signedIn.status).toBe(400);
    expect(signedIn.json?.error.code).toBe("invalid_request");
  });
});

/*
 * Every credential endpoint is limited per client IP. For each route that declares `rateLimit`,
 * and each action it declares, a request that reaches the limit: sent `max + 1` times from one
 * address, the last answers 429, while another address is still let through. A route added
 * with a `rateLimit` it does not apply fails here, and so does one without a fixture below; a
 * state-changing route added without `rateLimit` fails the test after, until it is listed there
 * with the reason it needs no limit.
 */

const MAX = 2;
const IP = "203.0.113.7";
const OTHER_IP = "198.51.100.9";
const WRONG = "wrong password, surely";

/** Shaped like a WebAuthn response, so it passes the schema and reaches the limit. */
const fakeCredential = {
  id: "AAAA",
  rawId: "AAAA",
  type: "public-key",
  clientExtensionResults: {},
};
const fakeRegistration = {
  ...fakeCredential,
  response: { clientDataJSON: "AAAA", attestationObject: "AAAA" },
};
const fakeAssertion = {
  ...fakeCredential,
  response: { clientDataJSON: "AAAA", authenticatorData: "AAAA", signature: "AAAA" },
};

/** The request number `i` for a route and action; `cookie` is a fresh session's. */
type Fixture = (i: number, cookie: string) => CallOptions;

const fixtures: Record<string, Partial<Record<RateLimitAction, Fixture>>> = {
  "POST /register": {
    register: (i) => ({ body: { email: `new${i}@example.com`, password: PASSWORD } }),
  },
  "POST /login": {
    login: (i) => ({ body: { email: `ada${i}@example.com`, password: WRONG } }),
  },
  "POST /password/change": {
    "password-change": (_, cookie) => ({
      cookie,
      body: { currentPassword: WRONG, newPassword: "an entirely new passphrase" },
    }),
  },
  "POST /token": {
    login: (i) => ({
      body: { grant_type: "password", username: `ada${i}@example.com`, password: WRONG },
    }),
    "token-refresh": () => ({ body: { grant_type: "refresh_token", refresh_token: "nope" } }),
    mfa: () => ({ body: { grant_type: "mfa_otp", mfa_token: "nope", otp: "123456" } }),
  },
  "POST /token/revoke": {
    "token-revoke": () => ({ body: { token: "nope" } }),
  },
  "POST /magic-link": {
    "magic-link": (i) => ({ body: { email: `link${i}@example.com` } }),
  },
  "POST /magic-link/verify-code": {
    "login-code": (i) => ({ body: { email: `code${i}@example.com`, code: "123456" } }),
  },
  "POST /password/forgot": {
    "password-forgot": (i) => ({ body: { email: `forgot${i}@example.com` } }),
  },
  "POST /password/reset": {
    "password-reset": () => ({ body: { token: "nope", password: "an entirely new passphrase" } }),
  },
  "POST /email/change": {
    "email-change": (i, cookie) => ({ cookie, body: { newEmail: `moved${i}@example.com` } }),
  },
  "POST /email/verify/request": {
    "email-verification": (_, cookie) => ({ cookie }),
  },
  "POST /passkey/register/options": {
    "passkey-register": (_, cookie) => ({ cookie }),
    register: (i) => ({ body: { email: `passkey${i}@example.com` } }),
  },
  "POST /passkey/register/verify": {
    "passkey-register": (_, cookie) => ({ cookie, body: fakeRegistration }),
    register: () => ({ body: fakeRegistration }),
  },
  "POST /passkey/login/options": {
    "passkey-login": () => ({}),
  },
  "POST /passkey/login/verify": {
    "passkey-login": () => ({ body: fakeAssertion }),
  },
  "DELETE /account": {
    "account-delete": (_, cookie) => ({ cookie, body: { currentPassword: WRONG } }),
  },
  // JSON: a browser would be sent back to the app with ?error=rate_limited instead.
  "GET /oauth/:provider": { "oauth-start": () => ({ headers: { accept: "application/json" } }) },
  "POST /oauth/:provider/link": { "oauth-start": (_, cookie) => ({ cookie, body: {} }) },
  "GET /oauth/:provider/callback": {
    "oauth-callback": () => ({ headers: { accept: "application/json" } }),
  },
  "POST /mfa/totp/setup": { mfa: (_, cookie) => ({ cookie }) },
  "POST /mfa/totp/enable": { mfa: (_, cookie) => ({ cookie, body: { code: "123456" } }) },
  "POST /mfa/disable": { mfa: (_, cookie) => ({ cookie, body: { code: "123456" } }) },
  "POST /mfa/recovery-codes": { mfa: (_, cookie) => ({ cookie, body: { code: "123456" } }) },
  "POST /mfa/verify": { mfa: () => ({ body: { code: "123456" } }) },
};

/** State-changing routes that are no credential endpoint, and why they need no limit. */
const NOT_CREDENTIAL_ENDPOINTS: Record<string, string> = {
  "POST /logout": "ends the caller's own session",
  "DELETE /sessions/:id": "signed in; acts on the caller's own sessions",
  "POST /sessions/revoke-others":
    "signed in; a wrong currentPassword counts toward the account's lockout",
  "PATCH /passkeys/:id": "signed in; renames the caller's own passkey",
  "DELETE /passkeys/:id": "signed in; deletes the caller's own passkey",
  "PATCH /account": "signed in; renames the caller's own account",
  "POST /magic-link/verify":
    "uses a mailed single-use 256-bit token, hashed at rest: nothing to guess",
  "GET /magic-link/verify": "as the POST",
  "GET /email/verify": "uses a mailed single-use 256-bit token",
  "GET /email/change/verify": "uses a mailed single-use 256-bit token",
  "GET /email/change/cancel": "uses a mailed single-use 256-bit token",
  "POST /admin/users/:id/disable":
    "admin only: the admin token (32+ characters, nothing to guess) or an administrator's session",
  "POST /admin/users/:id/enable": "admin only, as above",
  "DELETE /admin/users/:id/sessions": "admin only, as above",
  "DELETE /admin/users/:id/mfa": "admin only, as above",
  "DELETE /admin/users/:id": "admin only, as above",
  "DELETE /oauth/accounts/:id":
    "signed in; unlinks the caller's own identity, never the last way in",
  "POST /oauth/:provider/callback":
    "changes nothing: sends the provider's form_post on to the GET callback, which is limited",
};

const nameOf = (route: Route) => `${route.method} ${route.path}`;
const credentialRoutes = routes.filter((route) => route.rateLimit?.length);

function limitedAuth() {
  return makeAuth({
    mailer: captureMailer(),
    rateLimit: { perIP: { max: MAX, window: 60 } },
    passkey: { signUp: true },
    // Social sign-in on (its routes answer 404 otherwise); GitHub needs no network to start.
    oauth: { providers: [github({ clientId: "id", clientSecret: "secret" })] },
  });
}

describe("credential endpoints", () => {
  it("are the routes that declare a rate-limit action", () => {
    expect(credentialRoutes.map(nameOf).sort()).toEqual(Object.keys(fixtures).sort());
  });

  for (const route of credentialRoutes) {
    for (const action of route.rateLimit ?? []) {
      it(`${nameOf(route)} is limited per IP (${action})`, async () => {
        const fixture = fixtures[nameOf(route)]?.[action];
        expect(fixture, `add a fixture for ${nameOf(route)} (${action})`).toBeDefined();
        const request = fixture as Fixture;
        const auth = limitedAuth();
        // Signed in without a client IP: setting up counts toward no per-IP limit.
        const { cookie } = await registered(auth);
        const path = `/auth${route.path}`;
        const statuses: number[] = [];
        for (let i = 0; i <= MAX; i++) {
          const sent = await call(auth, route.method, path, {
            ...request(i, cookie),
            clientIP: IP,
          });
          statuses.push(sent.status);
          if (i === MAX) {
            // The OAuth token endpoints answer in RFC 6749 form (DESIGN §4): 429 slow_down.
            if (route.errorFormat === "oauth") expect(sent.json?.error).toBe("slow_down");
            else expect(sent.json?.error.code).toBe("rate_limited");
            expect(Number(sent.headers.get("retry-after"))).toBeGreaterThan(0);
          }
        }
        expect(statuses.slice(0, MAX)).not.toContain(429);
        expect(statuses[MAX]).toBe(429);
        const other = await call(auth, route.method, path, {
          ...request(MAX + 1, cookie),
          clientIP: OTHER_IP,
        });
        expect(other.status).not.toBe(429);
      });
    }
  }

  it("leave out no state-changing route without a reason", () => {
    const unlisted = routes
      .filter((route) => route.method !== "GET" || route.changesState)
      .filter((route) => !route.rateLimit?.length)
      .map(nameOf)
      .filter((name) => !(name in NOT_CREDENTIAL_ENDPOINTS));
    expect(unlisted).toEqual([]);
  });
});
