import { describe, expect, it } from "vitest";
import { sha256Base64url } from "../../src/crypto/sha256.js";
import { pendingSignInCookie, pendingSignInCookieName } from "../../src/http/pending-cookie.js";
import { call, makeAuth, registered } from "../helpers.js";
import { enableMfa, mfaSetup, pendingCookie } from "./helpers.js";

/*
 * The pending cookie proves a first factor and nothing else: it is no session, no Bearer
 * token, it completes the sign-in of its own user only, once, within 10 minutes.
 */

async function pending() {
  const setup = await mfaSetup();
  const first = await setup.login();
  const cookie = pendingCookie(first.response);
  return { ...setup, cookie, token: cookie.split("=")[1] as string };
}

describe("the pending cookie", () => {
  it("is not a session: /auth/session and guarded routes answer 401", async () => {
    const { auth, cookie } = await pending();
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/sessions", { cookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/mfa", { cookie })).status).toBe(401);
    const change = await call(auth, "POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: "x", newPassword: "an entirely new passphrase" },
    });
    expect(change.status).toBe(401);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("is no Bearer token, nor a session cookie when renamed", async () => {
    const { auth, token } = await pending();
    expect((await call(auth, "GET", "/auth/session", { bearer: token })).status).toBe(401);
    expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toBeNull();
    const renamed = `${auth.config.cookieName}=${token}`;
    expect((await call(auth, "GET", "/auth/session", { cookie: renamed })).status).toBe(401);
    const grant = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "refresh_token", refresh_token: token },
    });
    expect(grant.status).toBe(400);
  });

  it("completes one sign-in: used once, it is gone, even with a new code", async () => {
    const { clock, cookie, code, verify } = await pending();
    expect((await verify(cookie, { code: code() })).status).toBe(200);
    clock.advance(30);
    const again = await verify(cookie, { code: code() });
    expect(again.status).toBe(401);
    expect(again.json?.error.code).toBe("token_invalid");
  });

  it("lets one of two concurrent completions through", async () => {
    const { cookie, code, recoveryCodes, verify } = await pending();
    const results = await Promise.all([
      verify(cookie, { code: code() }),
      verify(cookie, { recoveryCode: recoveryCodes[0] }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
  });

  it("expires after 10 minutes, the right code notwithstanding", async () => {
    const { clock, cookie, code, verify } = await pending();
    clock.advance(10 * 60 + 1);
    const late = await verify(cookie, { code: code() });
    expect(late.status).toBe(401);
    expect(late.json?.error.code).toBe("token_invalid");
  });

  it("is bound to its user: another account's code does not complete it", async () => {
    const { auth, clock, cookie, code, verify } = await pending();
    const eve = await registered(auth, "eve@example.com");
    const eveApp = await enableMfa(auth, clock, eve.cookie);
    const eveCode = eveApp.code();
    expect(eveCode).not.toBe(code());
    const crossed = await verify(cookie, { code: eveCode });
    expect(crossed.status).toBe(401);
    expect(crossed.json?.error.code).toBe("mfa_invalid");
    const done = await verify(cookie, { code: code() });
    expect(done.json?.user.email).toBe("ada@example.com");
  });

  it("is kept hashed: storage holds its SHA-256, not the token", async () => {
    const { auth, token, user } = await pending();
    const stored = await auth.storage.verifications.consume(
      sha256Base64url(token),
      "mfa-pending",
      new Date(Date.UTC(2026, 0, 1, 0, 1)),
    );
    expect(stored?.userId).toBe(user.id);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.parse(stored?.data as string)).toMatchObject({ method: "password" });
  });

  it("is completed only from a trusted origin (CSRF)", async () => {
    const { auth, cookie, code } = await pending();
    const forged = await call(auth, "POST", "/auth/mfa/verify", {
      cookie,
      body: { code: code() },
      origin: "https://evil.example",
    });
    expect(forged.status).toBe(403);
    expect(forged.json?.error.code).toBe("csrf_rejected");
  });

  it("is HttpOnly, SameSite=Lax, sent to the auth routes only, and __Secure- over https", async () => {
    const plain = await mfaSetup();
    const header = (await plain.login()).headers
      .getSetCookie()
      .find((cookie) => cookie.includes(".mfa=")) as string;
    expect(header).toMatch(
      /^portcullis\.session\.mfa=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/auth; HttpOnly; SameSite=Lax$/,
    );

    const secure = await mfaSetup({ baseURL: "https://app.example.com" });
    const secureHeader = (await secure.login()).headers
      .getSetCookie()
      .find((cookie) => cookie.includes(".mfa=")) as string;
    expect(secureHeader).toMatch(
      /^__Secure-portcullis\.session\.mfa=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/auth; HttpOnly; Secure; SameSite=Lax$/,
    );
    // The path follows basePath; the name never collides with the session cookie's.
    const moved = makeAuth({ baseURL: "https://app.example.com", basePath: "/api/auth" }).resolved;
    expect(pendingSignInCookie(moved, "t", new Date(600_000), new Date(0))).toBe(
      "__Secure-portcullis.session.mfa=t; Max-Age=600; Path=/api/auth; HttpOnly; Secure; SameSite=Lax",
    );
    expect(pendingSignInCookieName(moved)).not.toBe(moved.cookieName);
  });
});
