import { createHash, createHmac, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { webCryptoRandom } from "../src/crypto/random.js";
import { memoryStorage } from "../src/index.js";
import { slideTarget } from "../src/sessions/lifetime.js";
import type { Storage } from "../src/storage/ports.js";
import { isLive } from "../src/storage/session-liveness.js";
import { successorSecret } from "../src/tokens/refresh-token.js";
import {
  formatOpaqueToken,
  hashOpaqueSecret,
  newOpaqueToken,
  OPAQUE_TOKEN_SHAPE,
  opaqueSecretMatches,
  parseOpaqueToken,
} from "../src/util/opaque-token.js";
import { countedStorage } from "./counted-storage.js";
import { makeAuth, manualClock, registered, sessionTokenFrom } from "./helpers.js";
import { bearer, decodeJwt, passwordTokens, refresh, tokenAuth } from "./tokens/helpers.js";

const DAY = 24 * 60 * 60;
const WIRE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
const READS = new Set(["sessions.get", "sessions.getWithUser", "users.findById"]);

describe("one liveness rule", () => {
  it("a session is live strictly before both of its expiries", () => {
    const session = { expiresAt: new Date(2000), absoluteExpiresAt: new Date(3000) };
    expect(isLive(session, new Date(1999))).toBe(true);
    expect(isLive(session, new Date(2000))).toBe(false);
    expect(isLive({ ...session, absoluteExpiresAt: new Date(1500) }, new Date(1500))).toBe(false);
    expect(isLive({ ...session, absoluteExpiresAt: new Date(1500) }, new Date(1499))).toBe(true);
  });

  it("the session list, the guard and purge agree on it", async () => {
    const clock = manualClock();
    const storage = memoryStorage();
    const auth = makeAuth({ clock, storage, session: { maxAge: 3600, updateAge: 60 } });
    const { cookie, user } = await registered(auth);
    clock.advance(3599);
    expect(await auth.api.listSessions(user.id)).toHaveLength(1);
    clock.advance(1); // exactly at expiresAt: over everywhere
    expect(await auth.api.listSessions(user.id)).toEqual([]);
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect((await auth.api.purgeExpired()).sessions).toBe(1);
  });
});

describe("one slide rule", () => {
  const options = { maxAge: 10 * DAY, updateAge: DAY };
  const day = (n: number) => new Date(n * DAY * 1000);

  it("slides to now + maxAge once less than maxAge - updateAge is left, never past the end", () => {
    const session = { expiresAt: day(10), absoluteExpiresAt: day(15) };
    expect(slideTarget(session, day(0.5), options)).toBeNull();
    expect(slideTarget(session, day(1), options)).toEqual(day(11));
    expect(slideTarget(session, day(8), options)).toEqual(day(15));
    // Already at the absolute end: nothing left to move, so nothing to write.
    expect(slideTarget({ ...session, expiresAt: day(15) }, day(9), options)).toBeNull();
  });

  it("cookie requests and refreshes slide by it, and a capped session stops writing", async () => {
    const clock = manualClock();
    const { storage, calls } = countedStorage(memoryStorage());
    const auth = makeAuth({
      clock,
      storage,
      session: { maxAge: 10 * DAY, updateAge: DAY, absoluteLifetime: 12 * DAY },
    });
    const { cookie } = await registered(auth);
    const writes = () => calls.filter((call) => call === "sessions.updateExpiry").length;
    clock.advance(1.5 * DAY);
    expect((await auth.authenticate({ cookie }))?.session.expiresAt.getTime()).toBe(
      clock.now() + 10 * DAY * 1000,
    );
    expect(writes()).toBe(1);
    clock.advance(3 * DAY); // now + maxAge is past the absolute end: capped there
    const capped = await auth.authenticate({ cookie });
    expect(capped?.session.expiresAt).toEqual(capped?.session.absoluteExpiresAt);
    expect(writes()).toBe(2);
    for (let i = 0; i < 3; i++) {
      clock.advance(DAY);
      expect(await auth.authenticate({ cookie })).not.toBeNull();
    }
    expect(writes()).toBe(2);
  });

  it("a refresh grant slides the session like a cookie request", async () => {
    const { auth, clock } = await tokenAuth({ session: { maxAge: 10 * DAY, updateAge: DAY } });
    const tokens = await passwordTokens(auth);
    const sid = decodeJwt(tokens.access_token).payload.sid as string;
    const before = await auth.storage.sessions.get(sid);
    clock.advance(2 * DAY);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(200);
    const after = await auth.storage.sessions.get(sid);
    expect(after?.expiresAt.getTime()).toBe(clock.now() + 10 * DAY * 1000);
    expect(after?.expiresAt.getTime()).toBeGreaterThan(before?.expiresAt.getTime() as number);
  });
});

describe("reads write nothing", () => {
  it("an expired session's cookie is refused without a write, and purge removes the row", async () => {
    const clock = manualClock();
    const { storage, calls } = countedStorage(memoryStorage());
    const auth = makeAuth({ clock, storage });
    const { cookie, response } = await registered(auth);
    const token = sessionTokenFrom(response);
    const id = token.split(".")[0] as string;
    clock.advance(31 * DAY);
    calls.length = 0;
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect(await auth.authenticate(bearer(token))).toBeNull();
    expect(await auth.api.getSession(token)).toBeNull();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => !READS.has(call))).toEqual([]);
    // The row is left for the purge, which removes it.
    expect(await storage.sessions.get(id)).not.toBeNull();
    expect((await auth.api.purgeExpired()).sessions).toBe(1);
    expect(await storage.sessions.get(id)).toBeNull();
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("an access token of an expired session is refused without a write", async () => {
    const clock = manualClock(Date.now());
    const { storage, calls } = countedStorage(memoryStorage());
    const auth = makeAuth({ clock, storage, session: { maxAge: 600, updateAge: 60 } });
    await registered(auth);
    const tokens = await passwordTokens(auth);
    clock.advance(700); // the session idled out; the access token (15 minutes) has not
    calls.length = 0;
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
    expect(calls.filter((call) => !READS.has(call))).toEqual([]);
  });

  it("logout still ends a session that has expired: it is a write anyway", async () => {
    const clock = manualClock();
    const storage = memoryStorage();
    const auth = makeAuth({ clock, storage });
    const { response } = await registered(auth);
    const token = sessionTokenFrom(response);
    clock.advance(31 * DAY);
    await auth.api.logout(token);
    expect(await storage.sessions.get(token.split(".")[0] as string)).toBeNull();
  });
});

describe("checkRevocation fails closed on a session that is not live", () => {
  it("refuses an unexpired access token whose session expired without being revoked", async () => {
    const { auth, clock } = await tokenAuth({ session: { maxAge: 600, updateAge: 60 } });
    const tokens = await passwordTokens(auth);
    const sid = decodeJwt(tokens.access_token).payload.sid as string;
    const check = () => auth.api.verifyAccessToken(tokens.access_token, { checkRevocation: true });
    await expect(check()).resolves.toMatchObject({ sid });
    clock.advance(700);
    // Signature and `exp` still pass, and the session is on no revocation list...
    await expect(auth.api.verifyAccessToken(tokens.access_token)).resolves.toMatchObject({ sid });
    const now = new Date(clock.now());
    expect(await auth.storage.revocations.isSessionRevoked(sid, now)).toBe(false);
    // ...but the session is not live, so the check refuses the token, before and after purge.
    await expect(check()).rejects.toMatchObject({ code: "token_invalid" });
    // Both sessions idled out: the registration's and the grant's.
    expect((await auth.api.purgeExpired()).sessions).toBe(2);
    await expect(check()).rejects.toMatchObject({ code: "token_invalid" });
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
  });

  it("refuses a token whose session was deleted without a revocation entry", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    const sid = decodeJwt(tokens.access_token).payload.sid as string;
    await auth.storage.sessions.delete(sid);
    await expect(
      auth.api.verifyAccessToken(tokens.access_token, { checkRevocation: true }),
    ).rejects.toMatchObject({ code: "token_invalid" });
  });
});

describe("the guard's storage calls", () => {
  it("is one call when the sessions port joins the user, two when it does not", async () => {
    const inner = memoryStorage();
    const auth = makeAuth({ storage: inner });
    const { cookie } = await registered(auth);
    const tokens = await passwordTokens(auth);
    const joined = countedStorage(inner);
    const separate = countedStorage(inner, { join: false });
    const viaJoin = makeAuth({ storage: joined.storage });
    const viaTwo = makeAuth({ storage: separate.storage });
    for (const headers of [{ cookie }, bearer(tokens.access_token)]) {
      joined.calls.length = 0;
      separate.calls.length = 0;
      const one = await viaJoin.authenticate(headers);
      const two = await viaTwo.authenticate(headers);
      expect(one).not.toBeNull();
      expect(one).toEqual(two);
      expect(joined.calls).toEqual(["sessions.getWithUser"]);
      expect(separate.calls).toEqual(["sessions.get", "users.findById"]);
    }
  });

  it("without the join, a wrong secret costs no user lookup", async () => {
    const inner = memoryStorage();
    const auth = makeAuth({ storage: inner });
    const { response } = await registered(auth);
    const [id, secret] = sessionTokenFrom(response).split(".") as [string, string];
    const forged = `${id}.${secret[0] === "A" ? "B" : "A"}${secret.slice(1)}`;
    const { storage, calls } = countedStorage(inner, { join: false });
    expect(await makeAuth({ storage }).authenticate(bearer(forged))).toBeNull();
    expect(calls).toEqual(["sessions.get"]);
  });

  it("a composed storage whose sessions port has no join uses the two calls", async () => {
    const base = memoryStorage();
    const sessions = { ...base.sessions };
    delete sessions.getWithUser;
    const storage: Storage = { ...base, sessions };
    const auth = makeAuth({ storage });
    const { cookie, user } = await registered(auth);
    const found = await auth.authenticate({ cookie });
    expect(found?.user).toEqual(await base.users.findById(user.id));
  });
});

describe("one opaque id.secret token", () => {
  it("has a 128-bit id and a 256-bit secret, in the shape every token so far was issued in", () => {
    const token = newOpaqueToken(webCryptoRandom);
    expect(token.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(token.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(formatOpaqueToken(token)).toMatch(WIRE);
    expect(parseOpaqueToken(formatOpaqueToken(token))).toEqual(token);
    expect(OPAQUE_TOKEN_SHAPE).toEqual({ idLength: 22, secretLength: 43 });
  });

  it("parses only exactly that shape", () => {
    const id = "A".repeat(22);
    const secret = "b".repeat(43);
    expect(parseOpaqueToken(`${id}.${secret}`)).toEqual({ id, secret });
    for (const bad of [
      "",
      id,
      `${id}.`,
      `${id}.${secret}x`,
      `${id}x.${secret}`,
      ` ${id}.${secret}`,
      `${id}.${secret}\n`,
      `${id}.${secret.slice(1)}+`,
      `${id}.${secret.slice(1)}=`,
      `${id}.${secret}.${secret}`,
      `${id}:${secret}`,
    ]) {
      expect(parseOpaqueToken(bad)).toBeNull();
    }
    expect(parseOpaqueToken(`ab.${secret}`, { idLength: 2, secretLength: 43 })).toEqual({
      id: "ab",
      secret,
    });
  });

  it("stores the secret as its SHA-256, base64url, and compares it", () => {
    const secret = "c".repeat(43);
    const hash = createHash("sha256").update(secret).digest("base64url");
    expect(hashOpaqueSecret(secret)).toBe(hash);
    expect(opaqueSecretMatches(secret, hash)).toBe(true);
    expect(opaqueSecretMatches("d".repeat(43), hash)).toBe(false);
  });

  it("session and refresh tokens keep their wire format", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    expect(tokens.refresh_token).toMatch(WIRE);
    const { response } = await registered(auth, "grace@example.com");
    expect(sessionTokenFrom(response)).toMatch(WIRE);
  });

  it("a refresh token's successor is still HMAC(HKDF(server secret), 'id.secret')", () => {
    const serverSecret = "test-secret-that-is-at-least-32-bytes-long";
    const token = { id: "F".repeat(22), secret: "s".repeat(43) };
    const key = hkdfSync(
      "sha256",
      serverSecret,
      "portcullis",
      "portcullis/refresh-token-successor",
      32,
    );
    const expected = createHmac("sha256", Buffer.from(key))
      .update(`${token.id}.${token.secret}`)
      .digest("base64url");
    expect(successorSecret(serverSecret, token)).toBe(expected);
  });
});
