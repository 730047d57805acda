import { describe, expect, it } from "vitest";
import { verifyAccessToken } from "../../src/verify/index.js";
import { call, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { type Auth, bearer, decodeJwt, passwordTokens, refresh, tokenAuth } from "./helpers.js";

/** What a resource server sharing the revocation store would run. */
async function verifyWithRevocationList(auth: Auth, token: string) {
  return verifyAccessToken(token, {
    jwks: await auth.api.jwks(),
    issuer: auth.config.baseURL,
    audience: auth.config.baseURL,
    clock: auth.resolved.clock,
    checkRevocation: ({ sid }) =>
      auth.storage.revocations.isSessionRevoked(sid, new Date(auth.resolved.clock.now())),
  });
}

/** Asserts the token is refused everywhere a revoked token must be refused. */
async function expectRevoked(auth: Auth, token: string) {
  expect(await auth.authenticate(bearer(token))).toBeNull();
  await expect(auth.api.verifyAccessToken(token, { checkRevocation: true })).rejects.toMatchObject({
    code: "token_invalid",
  });
  await expect(verifyWithRevocationList(auth, token)).rejects.toMatchObject({
    code: "token_invalid",
  });
}

async function expectLive(auth: Auth, token: string) {
  expect(await auth.authenticate(bearer(token))).not.toBeNull();
  await expect(auth.api.verifyAccessToken(token, { checkRevocation: true })).resolves.toBeTruthy();
  await expect(verifyWithRevocationList(auth, token)).resolves.toBeTruthy();
}

describe("revocation reaches access tokens", () => {
  it("logout with the access token", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    await expectLive(auth, tokens.access_token);
    await call(auth, "POST", "/auth/logout", { bearer: tokens.access_token, origin: null });
    await expectRevoked(auth, tokens.access_token);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
  });

  it("revoking the session from another (cookie) session", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const cookie = sessionCookieFrom(login.response);
    const sid = decodeJwt(tokens.access_token).payload.sid;
    expect((await call(auth, "DELETE", `/auth/sessions/${sid}`, { cookie })).status).toBe(204);
    await expectRevoked(auth, tokens.access_token);
  });

  it("revoke-others, from the token's own session, spares it and revokes the rest", async () => {
    const { auth } = await tokenAuth();
    const mine = await passwordTokens(auth);
    const other = await passwordTokens(auth);
    const result = await call(auth, "POST", "/auth/sessions/revoke-others", {
      bearer: mine.access_token,
      origin: null,
    });
    expect(result.status).toBe(204);
    await expectLive(auth, mine.access_token);
    await expectRevoked(auth, other.access_token);
  });

  it("password change revokes the other sessions' tokens", async () => {
    const { auth } = await tokenAuth();
    const mine = await passwordTokens(auth);
    const other = await passwordTokens(auth);
    const change = await call(auth, "POST", "/auth/password/change", {
      bearer: mine.access_token,
      origin: null,
      body: { currentPassword: PASSWORD, newPassword: "another long passphrase 42" },
    });
    expect(change.status).toBe(204);
    await expectLive(auth, mine.access_token);
    await expectRevoked(auth, other.access_token);
    expect((await refresh(auth, other.refresh_token)).status).toBe(400);
  });

  it("revokeUserSessions (what a password reset calls) revokes every token of the user", async () => {
    const { auth, user } = await tokenAuth();
    const a = await passwordTokens(auth);
    const b = await passwordTokens(auth);
    await auth.api.revokeUserSessions(user.id);
    await expectRevoked(auth, a.access_token);
    await expectRevoked(auth, b.access_token);
  });

  it("without checkRevocation a revoked token still verifies: the check is opt-in", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    await auth.api.revokeToken(tokens.access_token);
    await expect(auth.api.verifyAccessToken(tokens.access_token)).resolves.toBeTruthy();
  });

  it("a revocation entry lasts exactly as long as the tokens it could affect", async () => {
    const { auth, clock } = await tokenAuth({ tokens: { accessTokenTTL: 600, clockTolerance: 5 } });
    const tokens = await passwordTokens(auth);
    const sid = decodeJwt(tokens.access_token).payload.sid;
    clock.advance(100);
    await auth.api.revokeToken(tokens.access_token);
    const revocations = auth.storage.revocations;
    const at = (seconds: number) => new Date(clock.now() + seconds * 1000);
    expect(await revocations.isSessionRevoked(sid, at(604))).toBe(true);
    expect(await revocations.isSessionRevoked(sid, at(605))).toBe(false);
    // By then the token has expired anyway, clock tolerance included.
    clock.advance(605);
    await expect(auth.api.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      code: "token_expired",
    });
    expect(await revocations.deleteExpired(new Date(clock.now()))).toBe(1);
  });
});

describe("POST /auth/token/revoke", () => {
  it("revokes a refresh token: its family, its session and its access tokens", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const result = await call(auth, "POST", "/auth/token/revoke", {
      body: { token: tokens.refresh_token, token_type_hint: "refresh_token" },
      origin: null,
    });
    expect(result.status).toBe(200);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
    await expectRevoked(auth, tokens.access_token);
  });

  it("revokes an access token's session, from a form body", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const result = await call(auth, "POST", "/auth/token/revoke", {
      raw: new URLSearchParams({ token: tokens.access_token }).toString(),
      contentType: "application/x-www-form-urlencoded",
      origin: null,
    });
    expect(result.status).toBe(200);
    await expectRevoked(auth, tokens.access_token);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
  });

  it("answers 200 for unknown and malformed tokens, and revokes nothing else", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const familyId = tokens.refresh_token.split(".")[0];
    for (const token of ["garbage", "a.b.c", `${familyId}.${"x".repeat(43)}`]) {
      const result = await call(auth, "POST", "/auth/token/revoke", {
        body: { token },
        origin: null,
      });
      expect(result.status).toBe(200);
    }
    await expectLive(auth, tokens.access_token);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(200);
  });

  it("needs a token", async () => {
    const { auth } = await tokenAuth();
    const result = await call(auth, "POST", "/auth/token/revoke", { body: {}, origin: null });
    expect(result.status).toBe(400);
    expect(result.json?.error).toBe("invalid_request");
  });
});
