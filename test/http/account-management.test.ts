import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { redisRevocations, redisSessions } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { AuthConfig, Storage } from "../../src/index.js";
import { verifyAccessToken } from "../../src/verify/index.js";
import {
  call,
  makeAuth,
  manualClock,
  PASSWORD,
  registered,
  sessionCookieFrom,
} from "../helpers.js";
import { deleteKeys, redisAvailable, redisClient, runName } from "../storage/services.js";
import { bearer, decodeJwt, passwordTokens, refresh } from "../tokens/helpers.js";

type Auth = ReturnType<typeof makeAuth>;

/** An auth on a manual clock (sessions age only when told) with Ada and a bystander, Bob. */
async function setup(overrides: Partial<AuthConfig> = {}) {
  const clock = manualClock(Date.now());
  const auth = makeAuth({ clock, ...overrides });
  const ada = await registered(auth, "ada@example.com");
  const bob = await registered(auth, "bob@example.com");
  return { auth, clock, ada, bob };
}

/** What a resource server holding only the public keys and the revocation list would decide. */
async function verifiesAtResourceServer(auth: Auth, token: string): Promise<boolean> {
  try {
    await verifyAccessToken(token, {
      jwks: await auth.api.jwks(),
      issuer: auth.config.baseURL,
      audience: auth.config.baseURL,
      clock: auth.resolved.clock,
      checkRevocation: ({ sid }) =>
        auth.storage.revocations.isSessionRevoked(sid, new Date(auth.resolved.clock.now())),
    });
    return true;
  } catch {
    return false;
  }
}

describe("PATCH /auth/account", () => {
  it("changes the signed-in user's name, and only theirs", async () => {
    const { auth, ada, bob } = await setup();
    const renamed = await call(auth, "PATCH", "/auth/account", {
      cookie: ada.cookie,
      body: { name: "  Ada Lovelace  " },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json?.user).toMatchObject({
      id: ada.user.id,
      name: "Ada Lovelace",
      metadata: {},
    });
    const session = await call(auth, "GET", "/auth/session", { cookie: ada.cookie });
    expect(session.json?.user.name).toBe("Ada Lovelace");
    expect((await auth.storage.users.findById(bob.user.id))?.name).toBeNull();
    // null clears it; an empty body changes nothing.
    const cleared = await call(auth, "PATCH", "/auth/account", {
      cookie: ada.cookie,
      body: { name: null },
    });
    expect(cleared.json?.user.name).toBeNull();
    const nothing = await call(auth, "PATCH", "/auth/account", { cookie: ada.cookie, body: {} });
    expect(nothing.status).toBe(200);
    expect(nothing.json?.user.name).toBeNull();
  });

  it("never writes metadata: a body with it is refused, and what the server wrote stays", async () => {
    const { auth, ada } = await setup();
    await auth.api.updateUser(ada.user.id, { metadata: { plan: "free" } });
    for (const body of [
      { metadata: { plan: "enterprise" } },
      { name: "Ada", metadata: { plan: "enterprise" } },
      { name: "Ada", metadata: {} },
    ]) {
      const refused = await call(auth, "PATCH", "/auth/account", { cookie: ada.cookie, body });
      expect(refused.status).toBe(400);
      expect(refused.json?.error.code).toBe("invalid_request");
    }
    const user = await auth.storage.users.findById(ada.user.id);
    expect(user?.metadata).toEqual({ plan: "free" });
    expect(user?.name).toBeNull();
    // The user reads it, with the user, wherever the user is returned.
    const session = await call(auth, "GET", "/auth/session", { cookie: ada.cookie });
    expect(session.json?.user.metadata).toEqual({ plan: "free" });
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.json?.user.metadata).toEqual({ plan: "free" });
  });

  it("refuses a bad name, an anonymous caller, and a foreign origin", async () => {
    const { auth, ada } = await setup();
    const long = await call(auth, "PATCH", "/auth/account", {
      cookie: ada.cookie,
      body: { name: "x".repeat(201) },
    });
    expect(long.status).toBe(400);
    expect(long.json?.error.issues[0].path).toEqual(["name"]);
    const anonymous = await call(auth, "PATCH", "/auth/account", { body: { name: "Eve" } });
    expect(anonymous.status).toBe(401);
    const foreign = await call(auth, "PATCH", "/auth/account", {
      cookie: ada.cookie,
      origin: "https://evil.example",
      body: { name: "Eve" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json?.error.code).toBe("csrf_rejected");
    expect((await auth.storage.users.findById(ada.user.id))?.name).toBeNull();
  });
});

describe("DELETE /auth/account", () => {
  it("refuses a session older than session.freshAge without the current password", async () => {
    const { auth, clock, ada } = await setup();
    clock.advance(auth.resolved.session.freshAge + 1);
    const stale = await call(auth, "DELETE", "/auth/account", { cookie: ada.cookie });
    expect(stale.status).toBe(403);
    expect(stale.json?.error.code).toBe("reauthentication_required");
    const wrong = await call(auth, "DELETE", "/auth/account", {
      cookie: ada.cookie,
      body: { currentPassword: "not the password at all" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json?.error.code).toBe("invalid_credentials");
    expect(await auth.storage.users.findById(ada.user.id)).not.toBeNull();
    expect((await call(auth, "GET", "/auth/session", { cookie: ada.cookie })).status).toBe(200);
  });

  it("deletes with a stale session and the current password", async () => {
    const { auth, clock, ada } = await setup();
    clock.advance(auth.resolved.session.freshAge + 1);
    const deleted = await call(auth, "DELETE", "/auth/account", {
      cookie: ada.cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(deleted.status).toBe(204);
    expect(await auth.storage.users.findById(ada.user.id)).toBeNull();
  });

  it("refuses anonymous callers and foreign origins", async () => {
    const { auth, ada } = await setup();
    expect((await call(auth, "DELETE", "/auth/account")).status).toBe(401);
    const foreign = await call(auth, "DELETE", "/auth/account", {
      cookie: ada.cookie,
      origin: "https://evil.example",
    });
    expect(foreign.json?.error.code).toBe("csrf_rejected");
    expect(await auth.storage.users.findById(ada.user.id)).not.toBeNull();
  });

  it("with a fresh session: removes the user and everything of theirs, and nobody else's", async () => {
    const { auth, ada, bob } = await setup();
    const adaTokens = await passwordTokens(auth, "ada@example.com");
    const bobTokens = await passwordTokens(auth, "bob@example.com");
    const otherLogin = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const otherCookie = sessionCookieFrom(otherLogin.response);
    await auth.api.updateUser(bob.user.id, { metadata: { plan: "team" } });
    const adaSid = decodeJwt(adaTokens.access_token).payload.sid as string;
    expect(await verifiesAtResourceServer(auth, adaTokens.access_token)).toBe(true);

    const deleted = await call(auth, "DELETE", "/auth/account", { cookie: ada.cookie });
    expect(deleted.status).toBe(204);
    const cleared = deleted.headers.get("set-cookie") ?? "";
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);

    // The account and its password are gone: no sign-in by any means.
    expect(await auth.storage.users.findById(ada.user.id)).toBeNull();
    expect(await auth.storage.passwords.get(ada.user.id)).toBeNull();
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(401);
    // Every session: the one that asked, another browser's, the token endpoint's.
    for (const cookie of [ada.cookie, otherCookie]) {
      expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
    }
    expect(await auth.storage.sessions.listByUser(ada.user.id)).toEqual([]);
    // The access JWT fails here, through auth.api, and at a resource server with the list.
    const viaBearer = await call(auth, "GET", "/auth/session", { bearer: adaTokens.access_token });
    expect(viaBearer.status).toBe(401);
    expect(await auth.authenticate(bearer(adaTokens.access_token))).toBeNull();
    await expect(
      auth.api.verifyAccessToken(adaTokens.access_token, { checkRevocation: true }),
    ).rejects.toMatchObject({ code: "token_invalid" });
    expect(
      await auth.storage.revocations.isSessionRevoked(adaSid, new Date(auth.resolved.clock.now())),
    ).toBe(true);
    expect(await verifiesAtResourceServer(auth, adaTokens.access_token)).toBe(false);
    // The refresh token mints nothing.
    expect((await refresh(auth, adaTokens.refresh_token)).status).toBe(400);
    expect(
      await auth.storage.refreshTokens.get(adaTokens.refresh_token.split(".")[0] as string),
    ).toBeNull();

    // Bob is untouched: his cookie, his tokens, his metadata.
    const bobSession = await call(auth, "GET", "/auth/session", { cookie: bob.cookie });
    expect(bobSession.status).toBe(200);
    expect(bobSession.json?.user.metadata).toEqual({ plan: "team" });
    expect(
      (await call(auth, "GET", "/auth/session", { bearer: bobTokens.access_token })).status,
    ).toBe(200);
    expect(await verifiesAtResourceServer(auth, bobTokens.access_token)).toBe(true);
    expect((await refresh(auth, bobTokens.refresh_token)).status).toBe(200);

    // The address is free: registering it again makes a new, empty account.
    const again = await registered(auth, "ada@example.com");
    expect(again.user.id).not.toBe(ada.user.id);
    expect(again.user.metadata).toEqual({});
    expect((await call(auth, "GET", "/auth/session", { cookie: again.cookie })).status).toBe(200);
  });

  it("works with a fresh access token as the credential, and ends that token too", async () => {
    const { auth, ada } = await setup();
    const tokens = await passwordTokens(auth, "ada@example.com");
    const deleted = await call(auth, "DELETE", "/auth/account", {
      bearer: tokens.access_token,
      origin: null,
    });
    expect(deleted.status).toBe(204);
    expect(await auth.storage.users.findById(ada.user.id)).toBeNull();
    expect((await call(auth, "GET", "/auth/session", { bearer: tokens.access_token })).status).toBe(
      401,
    );
    expect((await call(auth, "GET", "/auth/session", { cookie: ada.cookie })).status).toBe(401);
  });
});

describe("DELETE /auth/account over SQLite", () => {
  it("cascades in the database and frees the address", async () => {
    const storage = sqliteStorage({ database: new Database(":memory:") });
    const { auth, ada, bob } = await setup({ storage });
    const tokens = await passwordTokens(auth, "ada@example.com");
    await auth.api.updateUser(ada.user.id, { name: "Ada", metadata: { plan: "pro" } });
    expect((await call(auth, "DELETE", "/auth/account", { cookie: ada.cookie })).status).toBe(204);
    expect(await storage.users.findByEmail("ada@example.com")).toBeNull();
    expect(await storage.sessions.listByUser(ada.user.id)).toEqual([]);
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(400);
    expect(await verifiesAtResourceServer(auth, tokens.access_token)).toBe(false);
    expect((await call(auth, "GET", "/auth/session", { cookie: bob.cookie })).status).toBe(200);
    const again = await registered(auth, "ada@example.com");
    expect(again.user.metadata).toEqual({});
  });
});

const redisUp = await redisAvailable();

describe.skipIf(!redisUp)("DELETE /auth/account with sessions in Redis, users in SQL", () => {
  const redis = redisClient();
  const prefix = `${runName("portcullis_test")}:`;
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("ends the Redis sessions, which no SQL cascade reaches, and lists them as revoked", async () => {
    const storage: Storage = {
      ...sqliteStorage({ database: new Database(":memory:") }),
      sessions: redisSessions(redis, { prefix }),
      revocations: redisRevocations(redis, { prefix }),
    };
    const { auth, ada, bob } = await setup({ storage });
    const tokens = await passwordTokens(auth, "ada@example.com");
    const sid = decodeJwt(tokens.access_token).payload.sid as string;
    expect(await storage.sessions.listByUser(ada.user.id)).toHaveLength(2);
    expect((await call(auth, "DELETE", "/auth/account", { cookie: ada.cookie })).status).toBe(204);
    expect(await storage.sessions.listByUser(ada.user.id)).toEqual([]);
    expect(await storage.sessions.get(sid)).toBeNull();
    expect(await storage.revocations.isSessionRevoked(sid, new Date())).toBe(true);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
    expect(await verifiesAtResourceServer(auth, tokens.access_token)).toBe(false);
    expect((await call(auth, "GET", "/auth/session", { cookie: bob.cookie })).status).toBe(200);
  });
});
