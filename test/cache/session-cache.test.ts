/**
 * The session cache within one process (memory storage, whose invalidation channel is the
 * process itself): a hit reads nothing, and nothing that would refuse a credential read from
 * storage is ever served from the cache instead: revocation of any kind, expiry (sliding and
 * absolute, on the injected clock, which may jump either way), a disabled or deleted user, a
 * changed user, a read that raced a change.
 */
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type AuthConfig, memoryStorage } from "../../src/index.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import { bearer, decodeJwt, passwordTokens } from "../tokens/helpers.js";
import { countReads, sleep } from "./helpers.js";

async function setup(overrides: Partial<AuthConfig> = {}) {
  const clock = manualClock(Date.now());
  const storage = memoryStorage();
  const counter = countReads(storage);
  const auth = makeAuth({ clock, storage, ...overrides });
  const signedUp = await registered(auth);
  return { auth, clock, storage, counter, cookie: signedUp.cookie, user: signedUp.user };
}

/** Authenticates `headers`; whether storage was read for it. */
async function check(
  auth: Awaited<ReturnType<typeof setup>>["auth"],
  counter: ReturnType<typeof countReads>,
  headers: Record<string, string>,
) {
  const before = counter.reads;
  const result = await auth.authenticate(headers);
  return { result, read: counter.reads > before };
}

describe("a session cache hit", () => {
  it("reads nothing from storage, and answers what storage would", async () => {
    const { auth, counter, cookie } = await setup();
    const first = await check(auth, counter, { cookie });
    expect(first.read).toBe(true);
    const second = await check(auth, counter, { cookie });
    expect(second.read).toBe(false);
    expect(second.result).toEqual(first.result);
  });

  it("hands each caller its own objects: changing one changes no other answer", async () => {
    const { auth, cookie } = await setup();
    await auth.api.updateUser((await auth.authenticate({ cookie }))?.user.id as string, {
      metadata: { plan: "pro", tags: ["a"] },
    });
    const one = await auth.authenticate({ cookie });
    if (!one) throw new Error("not signed in");
    (one.user.metadata.tags as string[]).push("mutated");
    one.session.expiresAt.setTime(0);
    const two = await auth.authenticate({ cookie });
    expect(two?.user.metadata).toEqual({ plan: "pro", tags: ["a"] });
    expect(two?.session.expiresAt.getTime()).toBeGreaterThan(0);
  });

  it("refuses a wrong secret for a cached session id without a storage read", async () => {
    const { auth, counter, cookie } = await setup();
    await auth.authenticate({ cookie });
    const [name, token] = cookie.split("=") as [string, string];
    const [id, secret] = token.split(".") as [string, string];
    const forged = `${name}=${id}.${secret[0] === "A" ? "B" : "A"}${secret.slice(1)}`;
    const wrong = await check(auth, counter, { cookie: forged });
    expect(wrong.result).toBeNull();
    expect(wrong.read).toBe(false);
    expect((await check(auth, counter, { cookie })).result).not.toBeNull();
  });

  it("is off with session.cache: false: every request reads storage", async () => {
    const { auth, counter, cookie } = await setup({ session: { cache: false } });
    await auth.authenticate({ cookie });
    expect((await check(auth, counter, { cookie })).read).toBe(true);
  });

  it("serves a cached session through a storage outage; a miss still answers unavailable", async () => {
    const { auth, storage, cookie } = await setup();
    await auth.authenticate({ cookie });
    const other = await registered(auth, "grace@example.com");
    const get = storage.sessions.get;
    storage.sessions.get = async () => {
      throw storageUnavailable(new Error("connect ECONNREFUSED 10.0.0.5:5432"));
    };
    try {
      // The channel is up: nothing can have changed unseen, so the cached answer stands.
      expect(await auth.authenticate({ cookie })).not.toBeNull();
      // Not cached: the read fails, and the guard says so (503), never "signed out".
      const guarded = await call(auth, "GET", "/auth/session", { cookie: other.cookie });
      expect(guarded.status).toBe(503);
      await expect(
        auth.authenticate({ cookie: other.cookie }, { onUnavailable: "throw" }),
      ).rejects.toMatchObject({ code: "unavailable" });
    } finally {
      storage.sessions.get = get;
    }
  });
});

describe("every revocation is refused at once", () => {
  it("logout", async () => {
    const { auth, cookie } = await setup();
    await auth.authenticate({ cookie });
    await auth.api.logout(cookie.split("=")[1] as string);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("revoking the user's other sessions (and one session by id)", async () => {
    const { auth, cookie, user } = await setup();
    const second = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const other = second.headers.get("set-cookie")?.split(";")[0] as string;
    const third = await auth.api.login({ email: "ada@example.com", password: PASSWORD });
    const thirdCookie = `${auth.config.cookieName}=${(third as { token: string }).token}`;
    for (const each of [cookie, other, thirdCookie]) {
      expect(await auth.authenticate({ cookie: each })).not.toBeNull();
    }
    const current = await auth.authenticate({ cookie });
    await auth.api.revokeUserSessions(user.id, current?.session.id);
    expect(await auth.authenticate({ cookie: other })).toBeNull();
    expect(await auth.authenticate({ cookie: thirdCookie })).toBeNull();
    expect(await auth.authenticate({ cookie })).not.toBeNull();
    await auth.api.revokeSession(user.id, current?.session.id as string);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("a password reset", async () => {
    const mailer = captureMailer();
    const { auth, cookie } = await setup({ mailer, passwordReset: { enabled: true } });
    await auth.authenticate({ cookie });
    await auth.api.forgotPassword({ email: "ada@example.com" });
    await auth.api.flushOutbox();
    const url = mailer.sent.find((mail) => mail.type === "password-reset")?.url as string;
    const token = new URL(url).searchParams.get("token") as string;
    await auth.api.resetPassword({ token, password: "a brand new passphrase" });
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("an administrator disabling the user, and deleting it", async () => {
    const { auth, cookie, user } = await setup();
    await auth.authenticate({ cookie });
    await auth.api.admin.disableUser(user.id);
    expect(await auth.authenticate({ cookie })).toBeNull();
    await auth.api.admin.enableUser(user.id);
    const again = await auth.api.login({ email: "ada@example.com", password: PASSWORD });
    const fresh = `${auth.config.cookieName}=${(again as { token: string }).token}`;
    expect(await auth.authenticate({ cookie: fresh })).not.toBeNull();
    await auth.api.admin.deleteUser(user.id);
    expect(await auth.authenticate({ cookie: fresh })).toBeNull();
  });

  it("a change written to the storage directly (the mark alone, no revocation)", async () => {
    const { auth, storage, cookie, user } = await setup();
    await auth.authenticate({ cookie });
    await storage.users.update(user.id, { disabledAt: new Date(), updatedAt: new Date() });
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("on another createAuth over the same storage", async () => {
    const { auth, storage, cookie } = await setup();
    const other = makeAuth({ storage });
    expect(await other.authenticate({ cookie })).not.toBeNull();
    expect(await auth.authenticate({ cookie })).not.toBeNull();
    await auth.api.logout(cookie.split("=")[1] as string);
    expect(await other.authenticate({ cookie })).toBeNull();
  });
});

describe("a changed user is never served stale", () => {
  it("name and metadata, through auth.api.updateUser", async () => {
    const { auth, cookie, user } = await setup();
    await auth.authenticate({ cookie });
    await auth.api.updateUser(user.id, { name: "Ada", metadata: { plan: "pro" } });
    const after = await auth.authenticate({ cookie });
    expect(after?.user).toMatchObject({ name: "Ada", metadata: { plan: "pro" } });
  });

  it("emailVerified, written behind the library's back on the storage object", async () => {
    const { auth, storage, cookie, user } = await setup();
    expect((await auth.authenticate({ cookie }))?.user.emailVerified).toBe(false);
    await storage.users.update(user.id, { emailVerified: true, updatedAt: new Date() });
    expect((await auth.authenticate({ cookie }))?.user.emailVerified).toBe(true);
  });
});

describe("expiry is checked on every hit, on the injected clock", () => {
  it("idle expiry: a cached session unused for maxAge is refused", async () => {
    const { auth, clock, cookie } = await setup({
      session: { maxAge: 3600, updateAge: 600, cache: { ttlSeconds: 100_000 } },
    });
    await auth.authenticate({ cookie });
    clock.advance(3600);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("absolute lifetime: refused at absoluteLifetime however active, slides or not", async () => {
    const { auth, clock, cookie } = await setup({
      session: { maxAge: 3600, updateAge: 600, absoluteLifetime: 7200, cache: { ttlSeconds: 10 } },
    });
    for (let elapsed = 0; elapsed < 7200 - 5; elapsed += 5) {
      expect(await auth.authenticate({ cookie }), `at ${elapsed} s`).not.toBeNull();
      clock.advance(5);
    }
    clock.advance(5);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("slides from a hit, once per updateAge, and the slide reaches storage", async () => {
    const { auth, clock, storage, counter, cookie, user } = await setup({
      session: { maxAge: 3600, updateAge: 600, cache: { ttlSeconds: 100_000 } },
    });
    const start = (await auth.authenticate({ cookie }))?.session.expiresAt.getTime() as number;
    clock.advance(601);
    const slid = await check(auth, counter, { cookie });
    expect(slid.result?.session.expiresAt.getTime()).toBe(start + 601_000);
    const [stored] = await storage.sessions.listByUser(user.id);
    expect(stored?.expiresAt.getTime()).toBe(start + 601_000);
    // Used within maxAge of the slide, long after the first expiry: still on.
    clock.advance(3000);
    expect(await auth.authenticate({ cookie })).not.toBeNull();
  });

  it("a cached copy that expired is re-read: another instance may have slid it", async () => {
    const { auth, clock, storage, counter, cookie } = await setup({
      session: { maxAge: 3600, updateAge: 600, cache: { ttlSeconds: 100_000 } },
    });
    const other = makeAuth({ clock, storage, session: { maxAge: 3600, updateAge: 600 } });
    await auth.authenticate({ cookie });
    clock.advance(3000);
    // The other instance slides it; this one's copy still says the old expiry.
    expect(await other.authenticate({ cookie })).not.toBeNull();
    clock.advance(1000);
    const late = await check(auth, counter, { cookie });
    expect(late.result).not.toBeNull();
    expect(late.read).toBe(true);
  });

  it("an entry older than ttlSeconds is re-read", async () => {
    const { auth, clock, counter, cookie } = await setup({
      session: { cache: { ttlSeconds: 30 } },
    });
    await auth.authenticate({ cookie });
    clock.advance(29);
    expect((await check(auth, counter, { cookie })).read).toBe(false);
    clock.advance(1);
    expect((await check(auth, counter, { cookie })).read).toBe(true);
  });

  it("a clock that goes back is not trusted: the entry is re-read", async () => {
    const { auth, clock, counter, cookie } = await setup();
    await auth.authenticate({ cookie });
    clock.advance(-60);
    expect((await check(auth, counter, { cookie })).read).toBe(true);
    expect((await check(auth, counter, { cookie })).read).toBe(false);
  });
});

describe("a read that races a change is never cached", () => {
  it("a revocation landing while the guard's read is in flight", async () => {
    const { auth, counter, cookie } = await setup();
    counter.hold();
    const inFlight = auth.authenticate({ cookie });
    await sleep(5);
    // The read above has happened; the logout completes before it is handed back.
    await auth.api.logout(cookie.split("=")[1] as string);
    counter.release();
    expect(await inFlight).not.toBeNull();
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("a user update landing between the read and the store", async () => {
    const { auth, counter, cookie, user } = await setup();
    counter.hold();
    const inFlight = auth.authenticate({ cookie });
    await sleep(5);
    await auth.api.updateUser(user.id, { name: "Changed" });
    counter.release();
    expect((await inFlight)?.user.name).toBeNull();
    expect((await auth.authenticate({ cookie }))?.user.name).toBe("Changed");
  });
});

describe("access JWTs", () => {
  it("a verified token is served from the caches, and refused at once when its session ends", async () => {
    const { auth, counter } = await setup();
    const tokens = await passwordTokens(auth);
    const headers = bearer(tokens.access_token);
    expect((await check(auth, counter, headers)).result).not.toBeNull();
    const hit = await check(auth, counter, headers);
    expect(hit.read).toBe(false);
    expect(hit.result?.session.id).toBe(decodeJwt(tokens.access_token).payload.sid);
    await auth.api.revokeToken(tokens.refresh_token);
    expect(await auth.authenticate(headers)).toBeNull();
  });

  it("is never served past exp, however long the cache would keep it", async () => {
    const { auth, clock } = await setup({
      tokens: { accessTokenTTL: 300 },
      session: { cache: { ttlSeconds: 100_000 } },
    });
    const tokens = await passwordTokens(auth);
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
    clock.advance(299);
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
    // Past exp by more than the tolerance the full verification grants.
    clock.advance(1 + 10);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
  });

  it("a clock gone back before the token's iat is not trusted: the full verification refuses it", async () => {
    const { auth, clock } = await setup();
    const tokens = await passwordTokens(auth);
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
    clock.advance(-3600);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
    clock.advance(3600);
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
  });

  it("a validly signed token naming someone else's session is refused, cached or not", async () => {
    const key = "k".repeat(40);
    const { auth } = await setup({
      tokens: { algorithm: "HS256", keys: [{ kid: "k1", secret: key }] },
    });
    const ada = await passwordTokens(auth);
    await registered(auth, "grace@example.com");
    const grace = await passwordTokens(auth, "grace@example.com");
    // Ada's session is in the cache; a token signed with the real key gives Grace as its subject.
    expect(await auth.authenticate(bearer(ada.access_token))).not.toBeNull();
    const claims = decodeJwt(grace.access_token).payload;
    const forged = await new SignJWT({ ...claims, sid: decodeJwt(ada.access_token).payload.sid })
      .setProtectedHeader({ alg: "HS256", kid: "k1", typ: "at+jwt" })
      .sign(new TextEncoder().encode(key));
    for (let i = 0; i < 2; i++) expect(await auth.authenticate(bearer(forged))).toBeNull();
    expect(await auth.authenticate(bearer(ada.access_token))).not.toBeNull();
  });

  it("a disabled user's cached token is refused", async () => {
    const { auth, user } = await setup();
    const tokens = await passwordTokens(auth);
    await auth.authenticate(bearer(tokens.access_token));
    await auth.api.admin.disableUser(user.id);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
  });
});

describe("session tokens as Bearer credentials", () => {
  it("share the cookie's cache entry and its revocation", async () => {
    const { auth, counter, cookie } = await setup();
    await auth.authenticate({ cookie });
    const token = cookie.split("=")[1] as string;
    const asBearer = await check(auth, counter, bearer(token));
    expect(asBearer.read).toBe(false);
    await auth.api.logout(token);
    expect(await auth.authenticate(bearer(token))).toBeNull();
  });
});

describe("session.cache options", () => {
  it("is off over a storage without a usable channel; asking for it there is a ConfigError", async () => {
    const base = memoryStorage();
    // Another sessions port composed in: the memory channel cannot see its writes.
    const composed = { ...base, sessions: { ...base.sessions } };
    const auth = makeAuth({ storage: composed });
    const { cookie } = await registered(auth);
    const counter = countReads(composed);
    await auth.authenticate({ cookie });
    expect((await check(auth, counter, { cookie })).read).toBe(true);
    expect(() => makeAuth({ storage: composed, session: { cache: { ttlSeconds: 5 } } })).toThrow(
      /session\.cache: this storage has no invalidation channel/,
    );
    const single = makeAuth({ storage: composed, session: { cache: { singleInstance: true } } });
    const signedIn = await registered(single, "grace@example.com");
    await single.authenticate({ cookie: signedIn.cookie });
    expect((await check(single, counter, { cookie: signedIn.cookie })).read).toBe(false);
  });

  it("refuses bad values with the option named", () => {
    expect(() => makeAuth({ session: { cache: { maxEntries: 0 } } })).toThrow(/session\.cache/);
    expect(() => makeAuth({ session: { cache: { ttlSeconds: -1 } } })).toThrow(/session\.cache/);
  });

  it("keeps at most maxEntries sessions", async () => {
    const { auth, counter, cookie } = await setup({ session: { cache: { maxEntries: 2 } } });
    const others = [];
    for (const email of ["b@example.com", "c@example.com"]) {
      others.push((await registered(auth, email)).cookie);
    }
    await auth.authenticate({ cookie });
    for (const other of others) await auth.authenticate({ cookie: other });
    // The first went when the third came in.
    expect((await check(auth, counter, { cookie })).read).toBe(true);
    expect((await check(auth, counter, { cookie: others[1] as string })).read).toBe(false);
  });
});

describe("a miss across two stores (no join)", () => {
  it("reads the session and its user at once when the owner is known: a JWT's subject, a session seen before", async () => {
    const base = memoryStorage();
    const sessions = { ...base.sessions };
    delete sessions.getWithUser;
    const storage = { ...base, sessions };
    const auth = makeAuth({ storage, session: { cache: { singleInstance: true, ttlSeconds: 1 } } });
    const { cookie } = await registered(auth);
    const tokens = await passwordTokens(auth);
    // Each read takes 20 ms; what matters is whether the user read waits for the session read.
    const log: string[] = [];
    const get = sessions.get.bind(sessions);
    sessions.get = async (id) => {
      log.push("session read starts");
      await sleep(20);
      log.push("session read ends");
      return get(id);
    };
    const findById = base.users.findById.bind(base.users);
    base.users.findById = async (id) => {
      log.push("user read starts");
      return findById(id);
    };
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
    expect(log.slice(0, 2)).toEqual(["session read starts", "user read starts"]);
    // A cookie's first read cannot know the owner; once seen, its misses read both at once too.
    log.length = 0;
    expect(await auth.authenticate({ cookie })).not.toBeNull();
    expect(log).toEqual(["session read starts", "session read ends", "user read starts"]);
    await sleep(1_100);
    log.length = 0;
    expect(await auth.authenticate({ cookie })).not.toBeNull();
    expect(log.slice(0, 2)).toEqual(["session read starts", "user read starts"]);
  });
});
