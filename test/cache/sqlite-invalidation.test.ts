/**
 * The session cache over SQLite, on by default: this connection's writes reach it at once
 * (the ports announce them), and a commit by any other connection to the same file (a second
 * `sqliteStorage`, raw SQL, another process) is noticed through `PRAGMA data_version` within
 * `CROSS_PROCESS_CHECK_MS` (the check is too costly for every hit). Two `createAuth`, each with
 * its own connection to one file, stand for two processes; one test uses a real child process.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { CROSS_PROCESS_CHECK_MS } from "../../adapters/sqlite/invalidation.js";
import { isAuthError } from "../../src/errors.js";
import { call, makeAuth, registered } from "../helpers.js";
import { countReads, sleep, within } from "./helpers.js";

type Auth = ReturnType<typeof makeAuth>;

/** Long enough for the next cache lookup to ask SQLite again. */
const checkInterval = () => sleep(CROSS_PROCESS_CHECK_MS + 3);

const dir = mkdtempSync(join(tmpdir(), "portcullis-sqlite-cache-"));
const opened: { close(): void }[] = [];
let files = 0;

afterAll(() => {
  for (const storage of opened) storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const freshPath = () => join(dir, `auth-${files++}.db`);

function open(path: string) {
  const storage = sqliteStorage({ path });
  opened.push(storage);
  return storage;
}

/** One instance over its own connection to `path`, its storage reads counted. */
function instance(path: string) {
  const storage = open(path);
  const counter = countReads(storage);
  return { auth: makeAuth({ storage }), storage, counter };
}

/** Instance A signs up; instance B, over another connection to the same file, will check. */
async function pair() {
  const path = freshPath();
  const a = instance(path);
  const b = instance(path);
  const { cookie, user } = await registered(a.auth);
  return { path, a: a.auth, b: b.auth, storageB: b.storage, counter: b.counter, cookie, user };
}

/** Authenticates `cookie` on `auth`; whether storage was read for it. */
async function check(auth: Auth, counter: ReturnType<typeof countReads>, cookie: string) {
  const before = counter.reads;
  const result = await auth.authenticate({ cookie });
  return { result, read: counter.reads > before };
}

/** B has A's session in its cache: the second check reads nothing. */
async function cachedOnB({ b, counter, cookie }: Awaited<ReturnType<typeof pair>>) {
  // B's first check comes after its next look at the file (A's sign-up seen, nothing pending).
  await checkInterval();
  const first = await check(b, counter, cookie);
  expect(first.read).toBe(true);
  const second = await check(b, counter, cookie);
  expect(second.read).toBe(false);
  expect(second.result).toEqual(first.result);
  return second.result;
}

describe("two connections to one SQLite file", () => {
  it("B serves A's session from its cache, and refuses it once A signs out", async () => {
    const setup = await pair();
    expect((await cachedOnB(setup))?.user.id).toBe(setup.user.id);
    const out = await call(setup.a, "POST", "/auth/logout", { cookie: setup.cookie });
    expect(out.status).toBe(204);
    await checkInterval();
    expect(await setup.b.authenticate({ cookie: setup.cookie })).toBeNull();
  });

  it("B sees a user disabled on A", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    await setup.a.api.admin.disableUser(setup.user.id);
    await checkInterval();
    expect(await setup.b.authenticate({ cookie: setup.cookie })).toBeNull();
  });

  it("B sees a user changed on A, then caches the new copy", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    await setup.a.api.updateUser(setup.user.id, { name: "Grace" });
    await checkInterval();
    const after = await check(setup.b, setup.counter, setup.cookie);
    expect(after.read).toBe(true);
    expect(after.result?.user.name).toBe("Grace");
    expect((await check(setup.b, setup.counter, setup.cookie)).read).toBe(false);
  });

  it("B sees raw SQL run on a third connection", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    const raw = new Database(setup.path);
    raw.exec("DELETE FROM portcullis_sessions");
    raw.close();
    await checkInterval();
    expect(await setup.b.authenticate({ cookie: setup.cookie })).toBeNull();
  });

  it("B sees a write made by another process", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    const betterSqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    const script = `const db = require(${JSON.stringify(betterSqlite)})(process.argv[1]);
      db.prepare("UPDATE portcullis_users SET disabled_at = ? WHERE id = ?").run(Date.now(), process.argv[2]);
      db.close();`;
    execFileSync(process.execPath, ["-e", script, setup.path, setup.user.id]);
    await checkInterval();
    expect(await setup.b.authenticate({ cookie: setup.cookie })).toBeNull();
  });

  it("keeps no read that raced another connection's revocation", async () => {
    const setup = await pair();
    const { b, counter, cookie } = setup;
    counter.hold();
    const before = counter.reads;
    const racing = b.authenticate({ cookie });
    // B has read the session (still live) and waits to store it; A revokes meanwhile.
    await within(1_000, async () => counter.reads > before);
    await setup.a.api.admin.revokeUserSessions(setup.user.id);
    counter.release();
    // What B read predates the revocation; it must not be served after B's next look.
    expect((await racing)?.user.id).toBe(setup.user.id);
    await checkInterval();
    expect(await b.authenticate({ cookie })).toBeNull();
  });

  it("keeps no racing read even when another request noticed the revocation first", async () => {
    const setup = await pair();
    const { b, counter } = setup;
    const grace = await registered(setup.a, "grace@example.com");
    await cachedOnB(setup);
    counter.hold();
    const before = counter.reads;
    const racing = b.authenticate({ cookie: grace.cookie });
    await within(1_000, async () => counter.reads > before);
    await call(setup.a, "POST", "/auth/logout", { cookie: grace.cookie });
    // Another request on B notices A's commit before the racing read is stored: the racing
    // read's store must be refused then, as no later check would see that commit again.
    await checkInterval();
    const other = b.authenticate({ cookie: setup.cookie });
    await within(1_000, async () => counter.reads > before + 1);
    counter.release();
    await Promise.all([racing, other]);
    expect(await b.authenticate({ cookie: grace.cookie })).toBeNull();
  });

  it("still caches after another connection's unrelated commit, from a fresh read", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    // Any commit elsewhere empties B's cache (coarse but exact): one read, then hits again.
    await registered(setup.a, "grace@example.com");
    await checkInterval();
    expect((await check(setup.b, setup.counter, setup.cookie)).read).toBe(true);
    expect((await check(setup.b, setup.counter, setup.cookie)).read).toBe(false);
  });

  it("serves nothing from the cache once its connection is closed, and throws no stray error", async () => {
    const setup = await pair();
    await cachedOnB(setup);
    setup.storageB.close();
    await checkInterval();
    // Answered as storage would: signed out by default, `unavailable` when asked to throw.
    expect(await setup.b.authenticate({ cookie: setup.cookie })).toBeNull();
    const error = await setup.b
      .authenticate({ cookie: setup.cookie }, { onUnavailable: "throw" })
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(isAuthError(error) && error.code).toBe("unavailable");
  });
});

describe("one instance over SQLite", () => {
  it("caches by default: no session.cache.singleInstance needed", async () => {
    const { auth, counter } = instance(freshPath());
    const { cookie } = await registered(auth);
    expect((await check(auth, counter, cookie)).read).toBe(true);
    expect((await check(auth, counter, cookie)).read).toBe(false);
    // Cache options alone are accepted (before, they needed singleInstance); it still works.
    expect(() =>
      makeAuth({ storage: open(freshPath()), session: { cache: { ttlSeconds: 5 } } }),
    ).not.toThrow();
    const single = instance(freshPath());
    const withOption = makeAuth({
      storage: single.storage,
      session: { cache: { singleInstance: true } },
    });
    const other = await registered(withOption);
    await withOption.authenticate({ cookie: other.cookie });
    expect((await check(withOption, single.counter, other.cookie)).read).toBe(false);
  });

  it("refuses at once a session ended on the storage object itself, behind the core's back", async () => {
    const { auth, storage, counter } = instance(freshPath());
    const { cookie } = await registered(auth);
    const signedIn = await auth.authenticate({ cookie });
    expect((await check(auth, counter, cookie)).read).toBe(false);
    // Same connection, so data_version does not move: the port announces the write itself.
    await storage.sessions.delete(signedIn?.session.id as string);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("has no usable channel once another store provides sessions", async () => {
    const base = open(freshPath());
    const composed = { ...base, sessions: { ...base.sessions } };
    expect(() => makeAuth({ storage: composed, session: { cache: { ttlSeconds: 5 } } })).toThrow(
      /session\.cache: this storage has no invalidation channel/,
    );
  });
});
