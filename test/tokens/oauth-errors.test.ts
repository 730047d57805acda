import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/index.js";
import { faultyStorage } from "../faults/faulty-storage.js";
import { call, type makeAuth, PASSWORD } from "../helpers.js";
import { mfaSetup } from "../mfa/helpers.js";
import { passwordTokens, refresh, tokenAuth, tokenRequest } from "./helpers.js";

/*
 * The token endpoints answer failures in RFC 6749 §5.2 form, and an OAuth client nobody here
 * wrote (oauth4webapi) is the judge: each failure must reach its caller as the OAuth error a
 * client acts on (`invalid_grant`: sign in again), not as a failure to parse.
 */

type Auth = ReturnType<typeof makeAuth>;

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** oauth4webapi pointed at an instance's handler: the metadata it serves, its fetch. */
async function oauthClient(auth: Auth, clientIP = "198.51.100.7") {
  const fetchThrough = (url: string, init: RequestInit) =>
    auth.handler(new Request(url, init), { clientIP });
  const options = {
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: fetchThrough,
  } as const;
  const issuer = new URL(auth.config.baseURL);
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...options }),
  );
  const client: oauth.Client = { client_id: "test-app" };
  return {
    as,
    client,
    options,
    password(username: string, password: string, auth_ = oauth.None()) {
      return oauth
        .genericTokenEndpointRequest(as, client, auth_, "password", { username, password }, options)
        .then((response) => oauth.processGenericTokenEndpointResponse(as, client, response));
    },
    grant(type: string, parameters: Record<string, string>) {
      return oauth
        .genericTokenEndpointRequest(as, client, oauth.None(), type, parameters, options)
        .then((response) => oauth.processGenericTokenEndpointResponse(as, client, response));
    },
    refresh(token: string) {
      return oauth
        .refreshTokenGrantRequest(as, client, oauth.None(), token, options)
        .then((response) => oauth.processRefreshTokenResponse(as, client, response));
    },
    revoke(token: string, auth_ = oauth.None()) {
      return oauth
        .revocationRequest(as, client, auth_, token, options)
        .then((response) => oauth.processRevocationResponse(response));
    },
  };
}

/** What a failed call threw, as an OAuth error response body error from oauth4webapi. */
async function oauthFailure(promise: Promise<unknown>): Promise<oauth.ResponseBodyError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (failure: unknown) => failure,
  );
  expect(error, String(error)).toBeInstanceOf(oauth.ResponseBodyError);
  const failure = error as oauth.ResponseBodyError;
  // RFC 6749 §5.2: printable ASCII without " and \ in error_description.
  expect(failure.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  expect(failure.response.headers.get("cache-control")).toBe("no-store");
  expect(failure.response.headers.get("pragma")).toBe("no-cache");
  return failure;
}

describe("invalid_grant: the credential does not let the client in (sign in again)", () => {
  it("a wrong password or an unknown user, alike", async () => {
    const { auth } = await tokenAuth();
    const client = await oauthClient(auth);
    const wrong = await oauthFailure(client.password("ada@example.com", "wrong password!"));
    const unknown = await oauthFailure(client.password("nobody@example.com", "wrong password!"));
    expect(wrong).toMatchObject({ error: "invalid_grant", status: 400 });
    expect(unknown.cause).toEqual(wrong.cause);
    // A control: the right password gets tokens through the same client.
    await expect(client.password("ada@example.com", PASSWORD)).resolves.toMatchObject({
      token_type: "bearer",
    });
  });

  it("a malformed, unknown, reused or expired refresh token", async () => {
    const { auth, clock } = await tokenAuth();
    const client = await oauthClient(auth);
    const first = await client.password("ada@example.com", PASSWORD);
    const second = await client.refresh(first.refresh_token as string);
    for (const token of ["nope", `${"a".repeat(22)}.${"b".repeat(43)}`]) {
      expect(await oauthFailure(client.refresh(token))).toMatchObject({
        error: "invalid_grant",
        status: 400,
        error_description: "Invalid refresh token",
      });
    }
    // The replaced token, past the grace window: reuse, which also revokes the successor.
    clock.advance(60);
    expect((await oauthFailure(client.refresh(first.refresh_token as string))).error).toBe(
      "invalid_grant",
    );
    expect((await oauthFailure(client.refresh(second.refresh_token as string))).error).toBe(
      "invalid_grant",
    );
    const fresh = await client.password("ada@example.com", PASSWORD);
    clock.advance(31 * 86400);
    expect(await oauthFailure(client.refresh(fresh.refresh_token as string))).toMatchObject({
      error: "invalid_grant",
      error_description: "Refresh token has expired",
    });
  });

  it("a disabled account", async () => {
    const { auth, user } = await tokenAuth();
    await auth.api.admin.disableUser(user.id);
    const client = await oauthClient(auth);
    const failure = await oauthFailure(client.password("ada@example.com", PASSWORD));
    expect(failure).toMatchObject({ error: "invalid_grant", status: 400 });
  });
});

describe("the MFA grant (DESIGN §7) speaks the same language", () => {
  it("mfa_required carries the mfa_token; a wrong or spent one-time code is invalid_grant", async () => {
    const { auth, clock, code } = await mfaSetup();
    const client = await oauthClient(auth);
    const required = await oauthFailure(client.password("ada@example.com", PASSWORD));
    expect(required).toMatchObject({ error: "mfa_required", status: 400 });
    const mfa_token = required.cause.mfa_token as string;
    expect(mfa_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await oauthFailure(client.grant("mfa_otp", { mfa_token, otp: "000000" }));
    expect(wrong).toMatchObject({ error: "invalid_grant", status: 400 });
    const malformed = await oauthFailure(client.grant("mfa_otp", { mfa_token, otp: "12" }));
    expect(malformed).toMatchObject({ error: "invalid_request", status: 400 });

    const tokens = await client.grant("mfa_otp", { mfa_token, otp: code() });
    expect(tokens.access_token).toBeTruthy();
    clock.advance(30);
    // Single-use: the same mfa_token, even with a fresh code, is a spent grant.
    const spent = await oauthFailure(client.grant("mfa_otp", { mfa_token, otp: code() }));
    expect(spent).toMatchObject({ error: "invalid_grant", status: 400 });
  });
});

describe("invalid_request and unsupported_grant_type: the request itself is wrong", () => {
  it("a grant type this server does not have", async () => {
    const { auth } = await tokenAuth();
    const client = await oauthClient(auth);
    const failure = await oauthFailure(
      oauth
        .clientCredentialsGrantRequest(client.as, client.client, oauth.None(), {}, client.options)
        .then((response) =>
          oauth.processClientCredentialsResponse(client.as, client.client, response),
        ),
    );
    expect(failure).toMatchObject({ error: "unsupported_grant_type", status: 400 });
  });

  it("a missing parameter, named in the description", async () => {
    const { auth } = await tokenAuth();
    const client = await oauthClient(auth);
    const failure = await oauthFailure(client.grant("password", { username: "ada@example.com" }));
    expect(failure).toMatchObject({ error: "invalid_request", status: 400 });
    expect(failure.error_description).toMatch(/^password: /);
    const revoke = await call(auth, "POST", "/auth/token/revoke", {
      raw: "token_type_hint=refresh_token",
      contentType: "application/x-www-form-urlencoded",
      origin: null,
    });
    expect(revoke.status).toBe(400);
    expect(revoke.json).toEqual({
      error: "invalid_request",
      error_description: "token: token is required",
    });
  });

  it("a body that is neither form nor JSON keeps its status (415), in OAuth form", async () => {
    const { auth } = await tokenAuth();
    const result = await call(auth, "POST", "/auth/token", {
      raw: "grant_type=password",
      contentType: "text/plain",
      origin: null,
    });
    expect(result.status).toBe(415);
    expect(result.json?.error).toBe("invalid_request");
    expect(result.json?.error_description).toMatch(/x-www-form-urlencoded/);
  });

  it("quotes in a description are replaced, as RFC 6749 §5.2 allows none", async () => {
    const { auth } = await tokenAuth();
    const result = await tokenRequest(auth, { grant_type: "password", username: 'x\u00e9"\\' });
    expect(result.json?.error).toBe("invalid_request");
    expect(result.json?.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  });
});

describe("invalid_client: there is no client authentication, and the server says so", () => {
  it("a client secret by HTTP Basic gets 401 with a Basic challenge", async () => {
    const { auth } = await tokenAuth();
    const client = await oauthClient(auth);
    const error = await client
      .password("ada@example.com", PASSWORD, oauth.ClientSecretBasic("s3cret"))
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe("basic");
    expect(await challenge.response.json()).toMatchObject({ error: "invalid_client" });
    const revoke = await client
      .revoke("anything", oauth.ClientSecretBasic("s3cret"))
      .catch((failure: unknown) => failure);
    expect((revoke as oauth.WWWAuthenticateChallengeError).status).toBe(401);
  });

  it("a client secret in the body gets 401 invalid_client, and nothing is done", async () => {
    const { auth } = await tokenAuth();
    const client = await oauthClient(auth);
    const failure = await oauthFailure(
      client.password("ada@example.com", PASSWORD, oauth.ClientSecretPost("s3cret")),
    );
    expect(failure).toMatchObject({ error: "invalid_client", status: 401 });
    expect(failure.error_description).toMatch(/none/);
    expect(
      await auth.api.listSessions(
        (await auth.storage.users.findByEmail("ada@example.com"))?.id as string,
      ),
    ).toHaveLength(1);
  });

  it("a public client's id alone is fine: as a parameter, or as Basic with an empty secret", async () => {
    const { auth } = await tokenAuth();
    const body = new URLSearchParams({
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    // requests-oauthlib and Authlib send a public client's id this way by default.
    const basic = await call(auth, "POST", "/auth/token", {
      raw: body.toString(),
      contentType: "application/x-www-form-urlencoded",
      headers: { authorization: `Basic ${btoa("test-app:")}` },
      origin: null,
    });
    expect(basic.status).toBe(200);
    const client = await oauthClient(auth);
    const tokens = await client.password("ada@example.com", PASSWORD);
    // The client_id sent plays no part: the token names the configured one.
    const payload = JSON.parse(
      Buffer.from(tokens.access_token.split(".")[1] as string, "base64url").toString(),
    );
    expect(payload.client_id).toBe("portcullis");
  });
});

describe("failures that are not the request's: load and outages keep their status", () => {
  it("the per-IP limit: 429 slow_down with Retry-After", async () => {
    const { auth } = await tokenAuth({ rateLimit: { perIP: { max: 2, window: 60 } } });
    const client = await oauthClient(auth);
    await client.password("ada@example.com", PASSWORD);
    await client.password("ada@example.com", PASSWORD);
    const limited = await oauthFailure(client.password("ada@example.com", PASSWORD));
    expect(limited).toMatchObject({ error: "slow_down", status: 429 });
    expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("storage down: 503 temporarily_unavailable with Retry-After", async () => {
    const faulty = faultyStorage();
    const { auth } = await tokenAuth({ storage: faulty.storage, logger: quietLogger });
    const client = await oauthClient(auth);
    const tokens = await client.password("ada@example.com", PASSWORD);
    faulty.down();
    for (const attempt of [
      client.password("ada@example.com", PASSWORD),
      client.refresh(tokens.refresh_token as string),
    ]) {
      // oauth4webapi reads error bodies of 4xx answers only; a 503 reaches the app as what it
      // is, an answer that is no token response, with the status and Retry-After to act on.
      const error = (await attempt.catch(
        (failure: unknown) => failure,
      )) as oauth.OperationProcessingError;
      expect(error.code).toBe(oauth.RESPONSE_IS_NOT_CONFORM);
      const response = error.cause as Response;
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await response.json()).toEqual({
        error: "temporarily_unavailable",
        error_description: expect.any(String),
      });
    }
  });

  it("a bug: 500 server_error, with nothing of the cause", async () => {
    const storage = memoryStorage();
    const errors: unknown[] = [];
    const { auth } = await tokenAuth({
      storage: {
        ...storage,
        refreshTokens: {
          ...storage.refreshTokens,
          get: async () => {
            throw new Error("secret driver detail");
          },
        },
      },
      logger: { ...quietLogger, error: (...args) => errors.push(args) },
    });
    const result = await refresh(auth, `${"a".repeat(22)}.${"b".repeat(43)}`);
    expect(result.status).toBe(500);
    expect(result.json).toEqual({ error: "server_error", error_description: "Internal error" });
    expect(errors).toHaveLength(1);
  });
});

describe("the shape is the token endpoints' alone", () => {
  it("/auth/login and the other routes keep the library's error shape", async () => {
    const { auth } = await tokenAuth();
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "wrong password!" },
    });
    expect(login.json?.error).toMatchObject({ code: "invalid_credentials" });
    // A token endpoint reached with the wrong method is no token request: library shape.
    const get = await call(auth, "GET", "/auth/token");
    expect(get.status).toBe(405);
    expect(get.json?.error.code).toBe("method_not_allowed");
  });

  it("a successful token response is never cached either", async () => {
    const { auth } = await tokenAuth();
    const result = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    expect(result.headers.get("cache-control")).toBe("no-store");
    expect(result.headers.get("pragma")).toBe("no-cache");
    const revoked = await call(auth, "POST", "/auth/token/revoke", {
      body: { token: (await passwordTokens(auth)).refresh_token },
      origin: null,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get("pragma")).toBe("no-cache");
  });
});
