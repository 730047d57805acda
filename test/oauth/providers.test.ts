import { exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, memoryStorage, type OAuthProfileSource } from "../../src/index.js";
import {
  apple,
  discord,
  github,
  gitlab,
  google,
  MICROSOFT_ISSUER_TEMPLATE,
  microsoft,
  microsoftTenantIssuer,
  oidc,
} from "../../src/oauth-providers/index.js";
import { makeAuth } from "../helpers.js";

/*
 * The presets of `portcullis/oauth` (data and small functions, checked here without a network)
 * and the startup checks every provider passes.
 */

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const credentials = { clientId: "client", clientSecret: "secret" };

/** A profile source with these ID token claims and, optionally, API answers by URL. */
function source(
  idToken: Record<string, unknown> | null,
  api: Record<string, unknown> = {},
  userinfo: Record<string, unknown> = {},
): OAuthProfileSource {
  return {
    idToken,
    accessToken: "at",
    userinfo: async () => userinfo,
    fetch: async (url) =>
      url in api
        ? new Response(JSON.stringify(api[url]), { status: 200 })
        : new Response("{}", { status: 404 }),
  };
}

describe("microsoft()", () => {
  it("has the multi-tenant issuer rule: the tenant a token names, substituted", () => {
    expect(MICROSOFT_ISSUER_TEMPLATE).toBe("https://login.microsoftonline.com/{tenantid}/v2.0");
    expect(microsoftTenantIssuer({ tid: TENANT })).toBe(
      `https://login.microsoftonline.com/${TENANT}/v2.0`,
    );
    // Anything but a tenant id refuses the token: no path tricks, no missing tenant.
    for (const tid of [undefined, "", "common", `${TENANT}/../evil`, "x".repeat(36), 42]) {
      expect(microsoftTenantIssuer({ tid })).toBeNull();
    }
  });

  it("applies the rule for the multi-tenant endpoints only", () => {
    for (const tenant of [undefined, "common", "organizations"]) {
      const { server } = microsoft({ ...credentials, tenant });
      expect(server).toMatchObject({
        kind: "oidc",
        issuer: `https://login.microsoftonline.com/${tenant ?? "common"}/v2.0`,
        discoveryIssuer: MICROSOFT_ISSUER_TEMPLATE,
      });
      expect(server.kind === "oidc" && server.idTokenIssuer?.({ tid: TENANT })).toBe(
        `https://login.microsoftonline.com/${TENANT}/v2.0`,
      );
    }
    const consumers = microsoft({ ...credentials, tenant: "consumers" }).server;
    expect(consumers).toEqual({
      kind: "oidc",
      issuer: "https://login.microsoftonline.com/consumers/v2.0",
      discoveryIssuer:
        "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    });
    const single = microsoft({ ...credentials, tenant: TENANT }).server;
    expect(single).toEqual({
      kind: "oidc",
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    });
    expect(() => microsoft({ ...credentials, tenant: "contoso.onmicrosoft.com" })).toThrow(
      ConfigError,
    );
  });

  it("does not take Entra's email claim as verified, unless the domain owner verified it", async () => {
    const claims = { sub: "s", email: "ceo@victim.example", email_verified: true };
    const plain = await microsoft(credentials).profile(source(claims));
    expect(plain).toMatchObject({ email: "ceo@victim.example", emailVerified: false });
    const owned = await microsoft(credentials).profile(source({ ...claims, xms_edov: true }));
    expect(owned.emailVerified).toBe(true);
  });
});

describe("apple()", () => {
  it("signs its client secret ES256 with the team's key, for Apple, for five minutes", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const provider = apple({
      clientId: "com.example.web",
      teamId: "ABCDE12345",
      keyId: "KEY1234567",
      privateKey: await exportPKCS8(privateKey),
    });
    expect(typeof provider.clientSecret).toBe("function");
    const secret = await (provider.clientSecret as () => Promise<string>)();
    const { payload, protectedHeader } = await jwtVerify(secret, publicKey, {
      algorithms: ["ES256"],
      issuer: "ABCDE12345",
      subject: "com.example.web",
      audience: "https://appleid.apple.com",
    });
    expect(protectedHeader).toEqual({ alg: "ES256", kid: "KEY1234567" });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    // A fresh one for every token request.
    const next = await (provider.clientSecret as () => Promise<string>)();
    await jwtVerify(next, publicKey, { audience: "https://appleid.apple.com" });
    expect(provider).toMatchObject({
      id: "apple",
      server: { kind: "oidc", issuer: "https://appleid.apple.com" },
      responseMode: "form_post",
      clientAuthentication: "client_secret_post",
      scopes: ["name", "email"],
    });
  });

  it("refuses a key that is not a .p8 file and ids that are not Apple's", async () => {
    const key = await exportPKCS8(
      (await generateKeyPair("ES256", { extractable: true })).privateKey,
    );
    const base = { clientId: "com.example.web", teamId: "ABCDE12345", keyId: "KEY1234567" };
    expect(() => apple({ ...base, privateKey: "not a key" })).toThrow(/privateKey/);
    expect(() => apple({ ...base, privateKey: key, teamId: "abc" })).toThrow(/teamId/);
    expect(() => apple({ ...base, privateKey: key, keyId: "" })).toThrow(/keyId/);
  });

  it("reads Apple's string email_verified", async () => {
    const claims = {
      sub: "001.apple",
      email: "x@privaterelay.appleid.com",
      email_verified: "true",
    };
    const key = await exportPKCS8(
      (await generateKeyPair("ES256", { extractable: true })).privateKey,
    );
    const provider = apple({
      clientId: "c",
      teamId: "ABCDE12345",
      keyId: "KEY1234567",
      privateKey: key,
    });
    expect(await provider.profile(source(claims))).toEqual({
      subject: "001.apple",
      email: "x@privaterelay.appleid.com",
      emailVerified: true,
      name: null,
    });
  });
});

describe("the other presets", () => {
  it("google(), gitlab() and oidc() are OIDC, with openid always asked for", () => {
    expect(google(credentials)).toMatchObject({
      id: "google",
      server: { kind: "oidc", issuer: "https://accounts.google.com" },
      scopes: ["openid", "email", "profile"],
    });
    expect(google({ ...credentials, scopes: ["email"] }).scopes).toEqual(["openid", "email"]);
    expect(gitlab(credentials).server).toEqual({ kind: "oidc", issuer: "https://gitlab.com" });
    expect(gitlab({ ...credentials, issuer: "https://gitlab.example.com/" }).server).toEqual({
      kind: "oidc",
      issuer: "https://gitlab.example.com",
    });
    expect(oidc({ ...credentials, id: "okta", issuer: "https://example.okta.com" })).toMatchObject({
      id: "okta",
      name: "okta",
    });
  });

  it("github() is plain OAuth 2.0 at github.com, or at an Enterprise Server", () => {
    expect(github(credentials)).toMatchObject({
      server: {
        kind: "oauth2",
        authorizationEndpoint: "https://github.com/login/oauth/authorize",
        tokenEndpoint: "https://github.com/login/oauth/access_token",
      },
      clientAuthentication: "client_secret_post",
      scopes: ["read:user", "user:email"],
    });
    const enterprise = github({ ...credentials, serverURL: "https://github.example.com" });
    expect(enterprise.server).toMatchObject({
      authorizationEndpoint: "https://github.example.com/login/oauth/authorize",
    });
  });

  it("reads the profile from the OIDC userinfo when the ID token has no email", async () => {
    const profile = await google(credentials).profile(
      source({ sub: "g-1" }, {}, { sub: "g-1", email: "a@example.com", email_verified: true }),
    );
    expect(profile).toEqual({
      subject: "g-1",
      email: "a@example.com",
      emailVerified: true,
      name: null,
    });
  });

  it("reads Discord's verified flag, and no email as none", async () => {
    const me = "https://discord.com/api/users/@me";
    const verified = await discord(credentials).profile(
      source(null, {
        [me]: {
          id: "80351110224678912",
          email: "n@example.com",
          verified: true,
          username: "nelly",
        },
      }),
    );
    expect(verified).toEqual({
      subject: "80351110224678912",
      email: "n@example.com",
      emailVerified: true,
      name: "nelly",
    });
    const unverified = await discord(credentials).profile(
      source(null, { [me]: { id: "1", email: "n@example.com", verified: false } }),
    );
    expect(unverified.emailVerified).toBe(false);
  });
});

describe("startup checks", () => {
  const previous = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = previous;
  });

  function configError(oauth: unknown, storage = memoryStorage()): ConfigError {
    try {
      makeAuth({ storage, oauth: oauth as never });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error("createAuth accepted it");
  }

  const local = (id = "local") =>
    oidc({
      ...credentials,
      id,
      issuer: "http://127.0.0.1:9999",
      allowInsecureIssuerForDevelopment: true,
    });

  it("needs at least one provider, each with its own id the routes can carry", () => {
    expect(configError({ providers: [] }).option).toBe("oauth.providers");
    const twice = configError({ providers: [google(credentials), google(credentials)] });
    expect(twice.option).toBe("oauth.providers.1.id");
    expect(twice.message).toMatch(/oauth\.providers\.0 too/);
    expect(configError({ providers: [local("Not An Id")] }).option).toBe("oauth.providers.0.id");
    expect(configError({ providers: [local("accounts")] }).message).toMatch(/reserved/);
    expect(configError({ providers: ["google"] }).option).toBe("oauth.providers.0");
    expect(configError({ providers: [google(credentials)], storeToken: true }).option).toBe(
      "oauth.storeToken",
    );
  });

  it("refuses http issuers, unless named for development, and that never in production", () => {
    expect(() => oidc({ ...credentials, id: "x", issuer: "http://idp.example.com" })).toThrow(
      /https/,
    );
    const handMade = {
      ...google(credentials),
      server: { kind: "oidc", issuer: "http://idp.example.com" },
    };
    expect(configError({ providers: [handMade] }).option).toBe("oauth.providers.0.server.issuer");
    // Allowed in development...
    expect(() => makeAuth({ oauth: { providers: [local()] } })).not.toThrow();
    // ...never in production.
    process.env.NODE_ENV = "production";
    const production = configError({ providers: [local()] });
    expect(production.option).toBe("oauth.providers.0.allowInsecureIssuerForDevelopment");
    expect(production.message).toMatch(/refused in production/);
  });

  it("keeps the flow's own parameters out of authorizationParams", () => {
    const sneaky = {
      ...google(credentials),
      authorizationParams: { redirect_uri: "https://evil.example" },
    };
    expect(configError({ providers: [sneaky] }).option).toBe(
      "oauth.providers.0.authorizationParams.redirect_uri",
    );
  });

  it("asks for the accounts port only when oauth is configured", () => {
    const { accounts: _accounts, ...withoutAccounts } = memoryStorage();
    expect(() => makeAuth({ storage: withoutAccounts })).not.toThrow();
    const error = configError({ providers: [google(credentials)] }, withoutAccounts);
    expect(error.option).toBe("storage");
    expect(error.message).toMatch(/accounts port/);
  });
});
