import { describe, expect, it } from "vitest";
import { call, expectSignedIn, PASSWORD, registered, sessionCookieFrom } from "../helpers.js";
import { bearer, decodeJwt, passwordTokens, tokenAuth, tokenRequest } from "./helpers.js";

describe("POST /auth/token grant_type=password", () => {
  it("answers the RFC 6749 token response, with no cookie and no-store", async () => {
    const { auth, user } = await tokenAuth();
    const result = await tokenRequest(auth, {
      grant_type: "password",
      username: "ADA@example.com",
      password: PASSWORD,
    });
    expect(result.status).toBe(200);
    expect(Object.keys(result.json ?? {}).sort()).toEqual([
      "access_token",
      "expires_in",
      "refresh_token",
      "token_type",
    ]);
    expect(result.json?.token_type).toBe("Bearer");
    expect(result.json?.expires_in).toBe(900);
    expect(result.json?.refresh_token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(result.headers.get("set-cookie")).toBeNull();
    expect(result.headers.get("cache-control")).toBe("no-store");
    const authenticated = await auth.authenticate(bearer(result.json?.access_token));
    expect(authenticated?.user.id).toBe(user.id);
  });

  it("accepts application/x-www-form-urlencoded", async () => {
    const { auth } = await tokenAuth();
    const form = new URLSearchParams({
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    const result = await call(auth, "POST", "/auth/token", {
      raw: form.toString(),
      contentType: "application/x-www-form-urlencoded",
      origin: null,
    });
    expect(result.status).toBe(200);
    const refreshed = await call(auth, "POST", "/auth/token", {
      raw: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: result.json?.refresh_token,
      }).toString(),
      contentType: "application/x-www-form-urlencoded",
      origin: null,
    });
    expect(refreshed.status).toBe(200);
  });

  it("mints an access token with the RFC 9068 header and claims, bound to a new session", async () => {
    const { auth, clock, user } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(typeof header.kid).toBe("string");
    const now = Math.floor(clock.now() / 1000);
    expect(payload).toMatchObject({
      iss: "http://localhost:3000",
      aud: "http://localhost:3000",
      client_id: "portcullis",
      sub: user.id,
      iat: now,
      exp: now + 900,
    });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const sessions = await auth.api.listSessions(user.id);
    expect(sessions.map((s) => s.id)).toContain(payload.sid);
  });

  it("answers the same invalid_grant for a wrong password and an unknown user", async () => {
    const { auth } = await tokenAuth();
    const wrong = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: "wrong password!",
    });
    const unknown = await tokenRequest(auth, {
      grant_type: "password",
      username: "bob@example.com",
      password: "wrong password!",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.json?.error).toBe("invalid_grant");
  });

  it("shares the per-account lockout with /auth/login", async () => {
    const { auth } = await tokenAuth({
      rateLimit: { loginFailures: { freeAttempts: 2, lockSeconds: 60 } },
    });
    for (let i = 0; i < 2; i++) {
      await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: "wrong password!" },
      });
    }
    const locked = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    expect(locked.status).toBe(429);
    expect(locked.json?.error).toBe("slow_down");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("shares the per-IP limit with /auth/login", async () => {
    const { auth } = await tokenAuth({ rateLimit: { perIP: { max: 3, window: 60 } } });
    const body = { email: "ada@example.com", password: PASSWORD };
    for (let i = 0; i < 3; i++) {
      await call(auth, "POST", "/auth/login", { body, clientIP: "203.0.113.9" });
    }
    const limited = await tokenRequest(
      auth,
      { grant_type: "password", username: "ada@example.com", password: PASSWORD },
      "203.0.113.9",
    );
    expect(limited.status).toBe(429);
    const otherIP = await tokenRequest(
      auth,
      { grant_type: "password", username: "ada@example.com", password: PASSWORD },
      "203.0.113.10",
    );
    expect(otherIP.status).toBe(200);
  });

  it("answers unsupported_grant_type for a grant it does not know, invalid_request for a missing field", async () => {
    const { auth } = await tokenAuth();
    for (const grant_type of ["client_credentials", "authorization_code", "PASSWORD"]) {
      const result = await tokenRequest(auth, { grant_type });
      expect(result.status).toBe(400);
      expect(result.json?.error).toBe("unsupported_grant_type");
    }
    for (const body of [
      { username: "ada@example.com", password: PASSWORD },
      { grant_type: "", username: "ada@example.com", password: PASSWORD },
      { grant_type: "password", username: "ada@example.com" },
      { grant_type: "refresh_token" },
      { grant_type: "mfa_otp", otp: "123456" },
    ]) {
      const result = await tokenRequest(auth, body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.json?.error).toBe("invalid_request");
      expect(result.json?.error_description).toMatch(/required|Invalid/);
    }
  });

  it("takes requests from any origin: it reads no cookie, so there is no CSRF to check", async () => {
    const { auth } = await tokenAuth();
    const body = { grant_type: "password", username: "ada@example.com", password: PASSWORD };
    for (const origin of ["https://evil.example", null, "http://localhost:3000"]) {
      expect((await call(auth, "POST", "/auth/token", { body, origin })).status).toBe(200);
    }
    // A browser's form post from another site (no preflight) gets tokens it cannot read, and
    // nothing else: no cookie is set.
    const cross = await call(auth, "POST", "/auth/token", {
      raw: new URLSearchParams(body).toString(),
      contentType: "application/x-www-form-urlencoded",
      origin: "https://evil.example",
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(cross.status).toBe(200);
    expect(cross.headers.get("set-cookie")).toBeNull();
    expect(cross.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("ignores a session cookie it is sent, from a foreign origin too, and leaves that session alone", async () => {
    const { auth } = await tokenAuth();
    const bob = await registered(auth, "bob@example.com");
    const [before] = await auth.api.listSessions(bob.user.id);
    // A client carrying Bob's cookie (a browser, or an HTTP client with a cookie jar) asks for
    // Ada's tokens from another origin, then revokes a token: neither request uses the cookie.
    const granted = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "password", username: "ada@example.com", password: PASSWORD },
      cookie: bob.cookie,
      origin: "https://evil.example",
    });
    expect(granted.status).toBe(200);
    expect(granted.headers.get("set-cookie")).toBeNull();
    const claims = decodeJwt(granted.json?.access_token).payload;
    expect(claims.sub).not.toBe(bob.user.id);
    const refreshed = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "refresh_token", refresh_token: granted.json?.refresh_token },
      cookie: bob.cookie,
    });
    expect(refreshed.status).toBe(200);
    const revoked = await call(auth, "POST", "/auth/token/revoke", {
      body: { token: refreshed.json?.refresh_token },
      cookie: bob.cookie,
      origin: "https://evil.example",
    });
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get("set-cookie")).toBeNull();
    // Bob's session is as it was: alive, not slid, not replaced.
    const session = await call(auth, "GET", "/auth/session", { cookie: bob.cookie });
    expect(session.status).toBe(200);
    expect(await auth.api.listSessions(bob.user.id)).toEqual([before]);
    // A revoke carrying the cookie but no token in the body revokes nothing of the cookie's.
    const empty = await call(auth, "POST", "/auth/token/revoke", {
      body: {},
      cookie: bob.cookie,
      origin: null,
    });
    expect(empty.status).toBe(400);
    expect((await call(auth, "GET", "/auth/session", { cookie: bob.cookie })).status).toBe(200);
  });

  it("leaves a browser's cookie session alone", async () => {
    const { auth } = await tokenAuth();
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const cookie = sessionCookieFrom(login.response);
    await passwordTokens(auth);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });
});

describe("access tokens in auth.authenticate and the handler", () => {
  it("authenticates routes with an access token as Bearer, without CSRF checks", async () => {
    const { auth, user } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const session = await call(auth, "GET", "/auth/session", { bearer: tokens.access_token });
    expect(session.status).toBe(200);
    expect(session.json?.user.id).toBe(user.id);
    expect(session.json?.session.id).toBe(decodeJwt(tokens.access_token).payload.sid);
  });

  it("POST /auth/logout with an access token ends its session", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const out = await call(auth, "POST", "/auth/logout", {
      bearer: tokens.access_token,
      origin: null,
    });
    expect(out.status).toBe(204);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
  });

  it("does not accept an access token from the session cookie", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const cookie = `${auth.config.cookieName}=${tokens.access_token}`;
    expect(await auth.authenticate({ cookie })).toBeNull();
  });
});

describe("GET /auth/jwks", () => {
  it("publishes the public key only", async () => {
    const { auth } = await tokenAuth();
    const { status, json } = await call(auth, "GET", "/auth/jwks");
    expect(status).toBe(200);
    expect(json?.keys).toHaveLength(1);
    expect(json?.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(json?.keys[0]).not.toHaveProperty("d");
    expect(await auth.api.jwks()).toEqual(json);
  });
});

describe("auth.api token grants", () => {
  it("the password grant honours emailVerification.required like /auth/login", async () => {
    const { auth } = await tokenAuth({
      mailer: { send: async () => {} },
      emailVerification: { required: true },
    });
    const result = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: "invalid_grant",
      error_description: "Confirm your email address before signing in",
    });
  });

  it("issueTokensForSession binds tokens to an existing live session of that user only", async () => {
    const { auth, user } = await tokenAuth();
    const login = expectSignedIn(
      await auth.api.login({ email: "ada@example.com", password: PASSWORD }),
    );
    const tokens = await auth.api.issueTokensForSession({
      userId: user.id,
      sessionId: login.session.id,
    });
    expect(decodeJwt(tokens.accessToken).payload.sid).toBe(login.session.id);
    expect((await auth.authenticate(bearer(tokens.accessToken)))?.session.id).toBe(
      login.session.id,
    );
    await expect(
      auth.api.issueTokensForSession({ userId: "someone-else", sessionId: login.session.id }),
    ).rejects.toMatchObject({ code: "unauthenticated" });
    // Ending the session (a browser logout) takes the tokens with it.
    await auth.api.logout(login.token);
    expect(await auth.authenticate(bearer(tokens.accessToken))).toBeNull();
  });
});
