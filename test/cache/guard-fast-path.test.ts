/**
 * The guards' way in (src/util/authenticate-now.ts): it answers a session-cache hit without a
 * promise, so a guarded route waits for nothing it does not have to, and it answers exactly
 * what `auth.authenticate(headers, { onUnavailable: "throw" })` answers, outages included.
 * `auth.authenticate` itself stays a promise every time: that is its public contract.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireAuth } from "../../adapters/hono/index.js";
import { type Auth, memoryStorage } from "../../src/index.js";
import { AUTHENTICATE_NOW, authenticateNowOf } from "../../src/util/authenticate-now.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import { makeAuth, registered } from "../helpers.js";
import { bearer, passwordTokens } from "../tokens/helpers.js";
import { countReads } from "./helpers.js";

async function setup() {
  const storage = memoryStorage();
  const counter = countReads(storage);
  const auth = makeAuth({ storage });
  const { cookie } = await registered(auth);
  return { auth, storage, counter, cookie, now: authenticateNowOf(auth) };
}

describe("the guards' authenticate-now", () => {
  it("is on the instance, not enumerable, and found by a copy of the adapter (Symbol.for)", async () => {
    const { auth } = await setup();
    const descriptor = Object.getOwnPropertyDescriptor(auth, AUTHENTICATE_NOW);
    expect(descriptor?.enumerable).toBe(false);
    expect(AUTHENTICATE_NOW).toBe(Symbol.for("portcullis.authenticate-now"));
    expect(authenticateNowOf(auth)).toBe(
      (auth as unknown as Record<symbol, unknown>)[AUTHENTICATE_NOW],
    );
  });

  it("answers a cache hit at once, the same as authenticate; a miss with a promise", async () => {
    const { auth, now, counter, cookie } = await setup();
    const miss = now({ cookie });
    expect(miss).toBeInstanceOf(Promise);
    const first = await miss;
    const reads = counter.reads;
    const hit = now({ cookie });
    expect(hit).not.toBeInstanceOf(Promise);
    expect(counter.reads).toBe(reads);
    expect(hit).toEqual(first);
    expect(hit).toEqual(await auth.authenticate({ cookie }));
  });

  it("answers no credential and a malformed one with null at once", async () => {
    const { now, cookie } = await setup();
    expect(now({})).toBeNull();
    expect(now({ cookie: `${cookie}x` })).toBeNull();
    expect(now({ authorization: "Bearer not-a-token" })).toBeNull();
  });

  it("refuses a cached session's id with any other secret, at once and without reading", async () => {
    const { now, counter, cookie } = await setup();
    await now({ cookie });
    const [name, token] = cookie.split("=") as [string, string];
    const id = token.slice(0, 22);
    const secret = token.slice(23);
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    const reads = counter.reads;
    const forged = [
      `${id}.${flip(secret, 0)}`,
      `${id}.${flip(secret, 42)}`,
      // The issued lengths, but outside the alphabet: the hit path skips the pattern, so only
      // the hash comparison stands between these and the session.
      `${id}.${secret.slice(0, 42)}!`,
      `${id}.${secret.slice(0, 21)}.${secret.slice(22)}`,
      `${id}.${secret.slice(0, 42)}\u00e9`,
    ];
    for (const value of forged) {
      expect(value).toHaveLength(token.length);
      expect(now({ cookie: `${name}=${value}` })).toBeNull();
    }
    expect(counter.reads).toBe(reads);
    // Not the issued shape at all: nothing matches, and storage is not asked either.
    for (const value of [`${id}:${secret}`, `${id}.${secret}=`, ` ${id}.${secret.slice(1)}`]) {
      expect(await now({ cookie: `${name}=${value}` })).toBeNull();
    }
    expect(counter.reads).toBe(reads);
    // Another id with the right secret: a miss, read, and refused.
    expect(await now({ cookie: `${name}=${flip(id, 3)}.${secret}` })).toBeNull();
    expect(counter.reads).toBeGreaterThan(reads);
    expect(now({ cookie })).toMatchObject({ session: { id } });
  });

  it("serves a cached access JWT at once, and refuses it at once when its session ends", async () => {
    const { auth, now } = await setup();
    const tokens = await passwordTokens(auth);
    const headers = bearer(tokens.access_token);
    const first = await now(headers);
    expect(first?.user.email).toBe("ada@example.com");
    expect(now(headers)).toEqual(first);
    await auth.api.revokeToken(tokens.refresh_token);
    await auth.api.revokeSession(first?.user.id as string, first?.session.id as string);
    expect(await now(headers)).toBeNull();
  });

  it("rejects with unavailable when a miss meets a storage outage; authenticate still answers null", async () => {
    const { auth, storage, now, cookie } = await setup();
    storage.sessions.getWithUser = async () => {
      throw storageUnavailable(new Error("connection refused"));
    };
    await expect(now({ cookie })).rejects.toMatchObject({ code: "unavailable" });
    await expect(auth.authenticate({ cookie })).resolves.toBeNull();
  });

  it("treats a bug in reading the request as signed out, without throwing", async () => {
    const { now } = await setup();
    const broken = {
      get(): string {
        throw new TypeError("broken headers");
      },
    } as unknown as Headers;
    expect(now(broken)).toBeNull();
  });

  it("falls back to authenticate for an instance without one (a wrapped auth object)", async () => {
    const { auth, cookie } = await setup();
    const wrapped = { ...auth } as Auth;
    const answer = authenticateNowOf(wrapped)({ cookie });
    expect(answer).toBeInstanceOf(Promise);
    expect((await answer)?.user.email).toBe("ada@example.com");
  });
});

describe("auth.authenticate", () => {
  it("always answers with a promise: a hit, no credential, a malformed one", async () => {
    const { auth, cookie } = await setup();
    await auth.authenticate({ cookie });
    for (const headers of [{ cookie }, {}, { cookie: "portcullis.session=nope" }]) {
      const answer = auth.authenticate(headers);
      expect(answer).toBeInstanceOf(Promise);
      await answer;
    }
  });
});

describe("the Hono guard on a cache hit", () => {
  it("lets the caller through without reading storage, and refuses at once after logout", async () => {
    const { auth, counter, cookie } = await setup();
    const app = new Hono();
    app.get("/me", requireAuth(auth), (c) => c.json({ email: c.get("auth").user.email }));
    const get = () => app.request("/me", { headers: { cookie } });
    expect((await get()).status).toBe(200);
    const reads = counter.reads;
    const hit = await get();
    expect(hit.status).toBe(200);
    expect(await hit.json()).toEqual({ email: "ada@example.com" });
    expect(counter.reads).toBe(reads);
    const caller = await auth.authenticate({ cookie });
    await auth.api.revokeSession(caller?.user.id as string, caller?.session.id as string);
    const after = await get();
    expect(after.status).toBe(401);
    expect(after.headers.get("cache-control")).toBe("no-store");
  });
});
