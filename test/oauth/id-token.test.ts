import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { memoryStorage, type OAuthProvider } from "../../src/index.js";
import { oidc } from "../../src/oauth-providers/index.js";
import { Browser } from "./browser.js";
import {
  FAKE_CLIENT_ID,
  FAKE_CLIENT_SECRET,
  type IdTokenTamper,
  startFakeIdp,
} from "./fake-idp.js";
import { loggedReasons, sessionOf, startApp, type TestApp } from "./harness.js";

/*
 * The ID token is checked whole: signature (against the keys the provider publishes), `iss`,
 * `aud`, `exp`, `nonce`. A provider that lies in any of them, or a token that did not come from
 * it, signs nobody in and creates nothing. Also: Apple's `form_post` answer, and a multi-tenant
 * issuer rule (Microsoft's), against a provider that can be made to lie.
 */

let app: TestApp;
let fake: Awaited<ReturnType<typeof startFakeIdp>>;
let tenants: Awaited<ReturnType<typeof startFakeIdp>>;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

beforeAll(async () => {
  app = await startApp();
  fake = await startFakeIdp({ redirectUri: `${app.baseURL}/auth/oauth/fake/callback` });
  // Like Microsoft's /common endpoint: discovery names a template; each token its own tenant.
  tenants = await startFakeIdp({
    redirectUri: `${app.baseURL}/auth/oauth/tenants/callback`,
    issParameter: false,
    discoveryIssuer: (origin) => `${origin}/{tenantid}/v2.0`,
    idTokenIssuer: (origin) => `${origin}/${TENANT}/v2.0`,
    person: { tid: TENANT },
  });
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await tenants?.close();
});

function fakeProvider(overrides: Partial<OAuthProvider> = {}): OAuthProvider {
  return {
    ...oidc({
      id: "fake",
      issuer: fake.origin,
      clientId: FAKE_CLIENT_ID,
      clientSecret: FAKE_CLIENT_SECRET,
      allowInsecureIssuerForDevelopment: true,
    }),
    ...overrides,
  };
}

beforeEach(() => {
  app.configure({ storage: memoryStorage(), oauth: { providers: [fakeProvider()] } });
});

/** Signs in through the fake provider (it asks nothing); where the browser lands. */
async function signIn(browser = new Browser(), provider = "fake") {
  const landing = await browser.follow(`${app.baseURL}/auth/oauth/${provider}`, app.isLanding);
  return { landing: landing.url, session: await sessionOf(browser, app) };
}

describe("the ID token", () => {
  it("signs in when everything checks out, with PKCE, the exact redirect URI and the client's secret", async () => {
    const { landing, session } = await signIn();
    expect(landing.href).toBe(`${app.baseURL}/`);
    expect(session?.user.email).toBe("person@example.com");
    const request = fake.tokenRequests.at(-1);
    expect(request?.form.get("redirect_uri")).toBe(`${app.baseURL}/auth/oauth/fake/callback`);
    expect(request?.form.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // client_secret_basic: the secret never travels in the form.
    expect(request?.form.has("client_secret")).toBe(false);
  });

  /** What the token says wrong, and the reason the log gives (so it fails for that reason). */
  const lies: [string, IdTokenTamper, RegExp][] = [
    ["another nonce", { claims: { nonce: "a-nonce-from-another-attempt" } }, /"nonce" claim value/],
    ["no nonce", { claims: { nonce: undefined } }, /"nonce".*missing/],
    ["another issuer", { claims: { iss: "https://accounts.example.com" } }, /"iss"/],
    ["another audience (a token for another app)", { claims: { aud: "another-client" } }, /"aud"/],
    [
      "an audience list without this app",
      { claims: { aud: ["another-client", "a-third"] } },
      /"aud"/,
    ],
    ["an expiry in the past", { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }, /"exp"/],
    ["no subject", { claims: { sub: undefined } }, /"sub".*missing/],
    [
      "a signature by a key the provider does not publish",
      { unpublishedKey: true },
      /signature verification failed/,
    ],
    ["a signature with the client secret (HS256)", { hmac: true }, /"alg"/],
  ];

  for (const [what, tamper, reason] of lies) {
    it(`refuses an ID token with ${what}: no session, no account`, async () => {
      fake.tamperNext(tamper);
      const { landing, session } = await signIn();
      expect(landing.href).toBe(`${app.baseURL}/?error=invalid_credentials`);
      expect(session).toBeNull();
      expect(await app.auth.storage.users.findByEmail("person@example.com")).toBeNull();
      expect(app.events.map((event) => event.type)).toEqual([]);
      expect(loggedReasons(app)).toMatch(reason);
    });
  }
});

describe("form_post (Sign in with Apple)", () => {
  it("takes the provider's cross-site POST to a GET that checks the state cookie", async () => {
    app.configure({
      storage: memoryStorage(),
      oauth: { providers: [fakeProvider({ responseMode: "form_post" })] },
    });
    const browser = new Browser();
    const page = await browser.follow(`${app.baseURL}/auth/oauth/fake`);
    expect(page.url.searchParams.get("response_mode")).toBe("form_post");
    const fields = Object.fromEntries(
      [...page.body.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    // The provider's page posts, cross-site: no CSRF refusal, and no session from the POST.
    const posted = await browser.request(`${app.baseURL}/auth/oauth/fake/callback`, {
      form: { ...fields, user: '{"name":{"firstName":"Ada"}}' },
      headers: { origin: fake.origin },
    });
    expect(posted.response.status).toBe(303);
    expect(posted.response.headers.getSetCookie()).toEqual([]);
    const next = new URL(posted.response.headers.get("location") as string);
    expect(next.pathname).toBe("/auth/oauth/fake/callback");
    expect([...next.searchParams.keys()].sort()).toEqual(["code", "iss", "state"]);
    const landing = await browser.follow(next, app.isLanding);
    expect(landing.url.href).toBe(`${app.baseURL}/`);
    expect((await sessionOf(browser, app))?.user.email).toBe("person@example.com");
  });

  it("lets a forged POST from another site sign nobody in: the GET it leads to has no attempt", async () => {
    app.configure({
      storage: memoryStorage(),
      oauth: { providers: [fakeProvider({ responseMode: "form_post" })] },
    });
    const attacker = new Browser();
    const page = await attacker.follow(`${app.baseURL}/auth/oauth/fake`);
    const fields = Object.fromEntries(
      [...page.body.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    const victim = new Browser();
    const landing = await victim.follow(`${app.baseURL}/auth/oauth/fake/callback`, app.isLanding, {
      form: fields,
      headers: { origin: "https://evil.example" },
    });
    expect(landing.url.searchParams.get("error")).toBe("token_invalid");
    expect(await sessionOf(victim, app)).toBeNull();
  });
});

describe("a multi-tenant issuer rule (Microsoft's)", () => {
  function tenantProvider(): OAuthProvider {
    const base = oidc({
      id: "tenants",
      issuer: tenants.origin,
      clientId: FAKE_CLIENT_ID,
      clientSecret: FAKE_CLIENT_SECRET,
      allowInsecureIssuerForDevelopment: true,
    });
    return {
      ...base,
      server: {
        kind: "oidc",
        issuer: tenants.origin,
        discoveryIssuer: `${tenants.origin}/{tenantid}/v2.0`,
        idTokenIssuer: (claims) =>
          typeof claims.tid === "string" ? `${tenants.origin}/${claims.tid}/v2.0` : null,
      },
    };
  }

  beforeEach(() => {
    app.configure({ storage: memoryStorage(), oauth: { providers: [tenantProvider()] } });
  });

  it("accepts a token whose issuer is its own tenant's", async () => {
    const { session } = await signIn(new Browser(), "tenants");
    expect(session?.user.email).toBe("person@example.com");
  });

  it("refuses a token whose issuer is another tenant's than the one it names", async () => {
    tenants.tamperNext({ claims: { tid: "00000000-0000-0000-0000-000000000001" } });
    const { landing, session } = await signIn(new Browser(), "tenants");
    expect(landing.searchParams.get("error")).toBe("invalid_credentials");
    expect(session).toBeNull();
  });

  it("refuses a token that names no tenant", async () => {
    tenants.tamperNext({ claims: { tid: undefined } });
    const { landing } = await signIn(new Browser(), "tenants");
    expect(landing.searchParams.get("error")).toBe("invalid_credentials");
  });
});
