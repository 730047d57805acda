import { describe, expect, it } from "vitest";
import { bearer, decodeJwt, passwordTokens, refresh, tokenAuth } from "./helpers.js";

describe("refresh-token rotation", () => {
  it("rotates on every use: a new refresh token and a new access token for the same session", async () => {
    const { auth } = await tokenAuth();
    const first = await passwordTokens(auth);
    const second = await refresh(auth, first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json?.refresh_token).not.toBe(first.refresh_token);
    // The family id (the part before the dot) stays; the secret changes.
    expect(second.json?.refresh_token.split(".")[0]).toBe(first.refresh_token.split(".")[0]);
    expect(second.json?.access_token).not.toBe(first.access_token);
    expect(decodeJwt(second.json?.access_token).payload.sid).toBe(
      decodeJwt(first.access_token).payload.sid,
    );
    const third = await refresh(auth, second.json?.refresh_token);
    expect(third.status).toBe(200);
  });

  it("stores only hashes: nothing in storage equals the refresh secret", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const [familyId, secret] = tokens.refresh_token.split(".") as [string, string];
    const family = await auth.storage.refreshTokens.get(familyId);
    expect(family).not.toBeNull();
    expect(JSON.stringify(family)).not.toContain(secret);
  });

  it("a rotated token presented again revokes the family, its session and its access tokens", async () => {
    const { auth, clock } = await tokenAuth();
    const first = await passwordTokens(auth);
    const second = await refresh(auth, first.refresh_token);
    clock.advance(60); // past the grace window
    const replay = await refresh(auth, first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.json?.error).toBe("invalid_grant");
    // The legitimate holder's newer token dies too: nobody can tell who is the thief.
    expect((await refresh(auth, second.json?.refresh_token)).status).toBe(400);
    expect(await auth.authenticate(bearer(second.json?.access_token))).toBeNull();
    expect(await auth.authenticate(bearer(first.access_token))).toBeNull();
    await expect(
      auth.api.verifyAccessToken(second.json?.access_token, { checkRevocation: true }),
    ).rejects.toMatchObject({ code: "token_invalid" });
  });

  it("detects reuse of a token several generations old", async () => {
    const { auth, clock } = await tokenAuth();
    const first = await passwordTokens(auth);
    let current = first.refresh_token;
    for (let i = 0; i < 3; i++) {
      clock.advance(30);
      current = (await refresh(auth, current)).json?.refresh_token;
    }
    expect((await refresh(auth, first.refresh_token)).status).toBe(400);
    expect((await refresh(auth, current)).status).toBe(400);
  });

  it("a forged secret under a real family id is treated as reuse and revokes the family", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const familyId = tokens.refresh_token.split(".")[0];
    const forged = `${familyId}.${"A".repeat(43)}`;
    expect((await refresh(auth, forged)).status).toBe(400);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
  });

  it("two concurrent refreshes with one token get the same successor: one live family", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const results = await Promise.all([
      refresh(auth, tokens.refresh_token),
      refresh(auth, tokens.refresh_token),
      refresh(auth, tokens.refresh_token),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const successors = new Set(results.map((r) => r.json?.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    // The one successor works, and the family has not been revoked.
    const next = await refresh(auth, successor);
    expect(next.status).toBe(200);
    expect(await auth.authenticate(bearer(next.json?.access_token))).not.toBeNull();
  });

  it("with refreshReuseGrace 0, a concurrent second use is a reuse and revokes the family", async () => {
    const { auth } = await tokenAuth({ tokens: { refreshReuseGrace: 0 } });
    const tokens = await passwordTokens(auth);
    const results = await Promise.all([
      refresh(auth, tokens.refresh_token),
      refresh(auth, tokens.refresh_token),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = results.find((r) => r.status === 200);
    expect((await refresh(auth, winner?.json?.refresh_token)).status).toBe(400);
  });

  it("the grace window ends: a replay after it is a reuse", async () => {
    const { auth, clock } = await tokenAuth({ tokens: { refreshReuseGrace: 5 } });
    const first = await passwordTokens(auth);
    await refresh(auth, first.refresh_token);
    clock.advance(5);
    expect((await refresh(auth, first.refresh_token)).status).toBe(200);
    clock.advance(1);
    expect((await refresh(auth, first.refresh_token)).status).toBe(400);
  });

  it("a replay within the grace window after the successor itself rotated is a reuse", async () => {
    const { auth } = await tokenAuth();
    const first = await passwordTokens(auth);
    const second = await refresh(auth, first.refresh_token);
    const third = await refresh(auth, second.json?.refresh_token);
    expect(third.status).toBe(200);
    expect((await refresh(auth, first.refresh_token)).status).toBe(400);
    expect((await refresh(auth, third.json?.refresh_token)).status).toBe(400);
  });

  it("expires absolutely: rotation never extends the family", async () => {
    const { auth, clock } = await tokenAuth({
      tokens: { refreshTokenTTL: 3600 },
      session: { maxAge: 7200, updateAge: 60, absoluteLifetime: 86_400 },
    });
    let current = (await passwordTokens(auth)).refresh_token;
    for (let i = 0; i < 5; i++) {
      clock.advance(600);
      const next = await refresh(auth, current);
      expect(next.status).toBe(200);
      current = next.json?.refresh_token;
    }
    clock.advance(600); // 3600 s after the grant
    const expired = await refresh(auth, current);
    expect(expired.status).toBe(400);
    expect(expired.json).toMatchObject({
      error: "invalid_grant",
      error_description: "Refresh token has expired",
    });
  });

  it("fails once the session behind the family has ended", async () => {
    const { auth, user } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    await auth.api.revokeUserSessions(user.id);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
  });

  it("rejects malformed and unknown refresh tokens with invalid_grant", async () => {
    const { auth } = await tokenAuth();
    for (const token of ["nope", `${"a".repeat(22)}.${"b".repeat(43)}`, "a.b.c"]) {
      const result = await refresh(auth, token);
      expect(result.status).toBe(400);
      expect(result.json?.error).toBe("invalid_grant");
    }
  });

  it("auth.api.refreshTokens rotates like the endpoint", async () => {
    const { auth } = await tokenAuth();
    const issued = await auth.api
      .issueTokens({ username: "ada@example.com", password: "x" })
      .catch((error) => error);
    expect(issued).toMatchObject({ code: "invalid_credentials" });
    const tokens = await passwordTokens(auth);
    const next = await auth.api.refreshTokens(tokens.refresh_token);
    expect(next.tokenType).toBe("Bearer");
    expect(next.refreshToken).not.toBe(tokens.refresh_token);
  });
});
