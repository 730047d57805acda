import { describe, expect, it } from "vitest";
import { memoryStorage } from "../src/index.js";
import { call, makeAuth, manualClock, registered, sessionTokenFrom } from "./helpers.js";

const DAY = 24 * 60 * 60;

describe("session lifetime", () => {
  it("slides the expiry at most once per updateAge, and expires after maxAge idle", async () => {
    const clock = manualClock();
    const storage = memoryStorage();
    let expiryWrites = 0;
    const updateExpiry = storage.sessions.updateExpiry.bind(storage.sessions);
    storage.sessions.updateExpiry = async (id, at) => {
      expiryWrites++;
      return updateExpiry(id, at);
    };
    const auth = makeAuth({ clock, storage });
    const { cookie } = await registered(auth);
    const first = await auth.authenticate({ cookie });
    clock.advance(DAY / 2);
    await auth.authenticate({ cookie });
    expect(expiryWrites).toBe(0);
    clock.advance(DAY);
    const slid = await auth.authenticate({ cookie });
    expect(expiryWrites).toBe(1);
    expect(slid?.session.expiresAt.getTime()).toBeGreaterThan(
      first?.session.expiresAt.getTime() as number,
    );
    clock.advance(31 * DAY);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("ends an active session at its absolute lifetime", async () => {
    const clock = manualClock();
    const auth = makeAuth({ clock, session: { maxAge: 10 * DAY, absoluteLifetime: 20 * DAY } });
    const { cookie } = await registered(auth);
    for (let day = 0; day < 19; day++) {
      clock.advance(DAY);
      expect(await auth.authenticate({ cookie })).not.toBeNull();
    }
    clock.advance(DAY);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("rejects a token whose secret was altered, and malformed tokens", async () => {
    const auth = makeAuth();
    const { response } = await registered(auth);
    const token = sessionTokenFrom(response);
    const [id, secret] = token.split(".") as [string, string];
    const flipped = `${id}.${secret[0] === "A" ? "B" : "A"}${secret.slice(1)}`;
    for (const bad of [flipped, id, `${id}.`, `${token}x`, "", "a.b.c"]) {
      expect(await auth.authenticate({ authorization: `Bearer ${bad}` })).toBeNull();
      expect(await auth.authenticate({ cookie: `portcullis.session=${bad}` })).toBeNull();
    }
    expect(await auth.authenticate({ authorization: `Bearer ${token}` })).not.toBeNull();
  });

  it("stores only a hash of the session secret", async () => {
    const storage = memoryStorage();
    const auth = makeAuth({ storage });
    const { response, user } = await registered(auth);
    const token = sessionTokenFrom(response);
    const [id, secret] = token.split(".") as [string, string];
    const [record] = await storage.sessions.listByUser(user.id);
    expect(record?.id).toBe(id);
    expect(JSON.stringify(record)).not.toContain(secret);
  });
});

describe("authenticate", () => {
  it("accepts Headers and Node-style header objects, including array values", async () => {
    const auth = makeAuth();
    const { cookie, user } = await registered(auth);
    expect((await auth.authenticate(new Headers({ cookie })))?.user.id).toBe(user.id);
    expect((await auth.authenticate({ cookie: [cookie] }))?.user.id).toBe(user.id);
    expect((await auth.authenticate({ cookie: `other=1; ${cookie}; more=2` }))?.user.id).toBe(
      user.id,
    );
  });

  it("fails closed when storage throws", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    auth.storage.sessions.get = async () => {
      throw new Error("down");
    };
    await expect(auth.authenticate({ cookie })).resolves.toBeNull();
  });

  it("returns null once the user is deleted", async () => {
    const auth = makeAuth();
    const { cookie, user } = await registered(auth);
    await auth.storage.users.delete(user.id);
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
  });
});
