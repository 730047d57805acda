import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { Storage } from "../../src/index.js";
import { call, makeAuth, manualClock, registered } from "../helpers.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "../storage/services.js";
import { enableMfa, pendingCookie } from "./helpers.js";

/*
 * Two instances over one database, as two processes behind a load balancer: a code accepted by
 * one is refused by the other (the last step is one compare-and-set in SQL), and of two uses
 * of one recovery code on the two instances, one succeeds.
 */

async function twoInstances(storages: [Storage, Storage]) {
  const clock = manualClock();
  const secret = "a-secret-both-instances-share-32+bytes";
  const [one, two] = storages.map((storage) => makeAuth({ clock, storage, secret })) as [
    ReturnType<typeof makeAuth>,
    ReturnType<typeof makeAuth>,
  ];
  const email = `ada-${Math.random().toString(36).slice(2)}@example.com`;
  const account = await registered(one, email);
  const mfa = await enableMfa(one, clock, account.cookie);
  const pendingOn = async (auth: typeof one) =>
    pendingCookie(
      (
        await call(auth, "POST", "/auth/login", {
          body: { email, password: "correct horse battery staple" },
        })
      ).response,
    );
  const verify = (auth: typeof one, cookie: string, body: unknown) =>
    call(auth, "POST", "/auth/mfa/verify", { cookie, body });
  return { one, two, clock, mfa, pendingOn, verify };
}

function replayContract(make: () => Promise<[Storage, Storage]>) {
  it("refuses on one instance the code the other accepted", async () => {
    const { one, two, mfa, pendingOn, verify } = await twoInstances(await make());
    const code = mfa.code();
    const onOne = await pendingOn(one);
    const onTwo = await pendingOn(two);
    expect((await verify(one, onOne, { code })).status).toBe(200);
    const replay = await verify(two, onTwo, { code });
    expect(replay.status).toBe(401);
    expect(replay.json?.error.code).toBe("mfa_invalid");
  });

  it("lets one of two simultaneous uses of one code, on two instances, through", async () => {
    const { one, two, mfa, pendingOn, verify } = await twoInstances(await make());
    const code = mfa.code();
    const [onOne, onTwo] = [await pendingOn(one), await pendingOn(two)];
    const results = await Promise.all([verify(one, onOne, { code }), verify(two, onTwo, { code })]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
  });

  it("lets one of two simultaneous uses of one recovery code through", async () => {
    const { one, two, mfa, pendingOn, verify } = await twoInstances(await make());
    const recoveryCode = mfa.recoveryCodes[3];
    const [onOne, onTwo] = [await pendingOn(one), await pendingOn(two)];
    const results = await Promise.all([
      verify(one, onOne, { recoveryCode }),
      verify(two, onTwo, { recoveryCode }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
    const winner = results.find((result) => result.status === 200);
    expect(winner?.json?.recoveryCodesRemaining).toBe(9);
  });

  it("completes on one instance a pending step begun on the other", async () => {
    const { one, two, mfa, pendingOn, verify } = await twoInstances(await make());
    const done = await verify(two, await pendingOn(one), { code: mfa.code() });
    expect(done.status).toBe(200);
  });
}

describe("two instances over one SQLite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-mfa-"));
  const opened: { close(): void }[] = [];
  afterAll(() => {
    for (const storage of opened) storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let file = 0;
  replayContract(async () => {
    const path = join(dir, `shared-${++file}.db`);
    const pair = [sqliteStorage({ path }), sqliteStorage({ path })] as const;
    opened.push(...pair);
    return [pair[0], pair[1]];
  });
});

const available = await postgresAvailable();

describe.skipIf(!available)("two instances over one PostgreSQL database", () => {
  const databases: Awaited<ReturnType<typeof freshPostgres>>[] = [];
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    for (const db of databases) await db.drop();
  });
  replayContract(async () => {
    const db = await freshPostgres();
    databases.push(db);
    await migrate(db.pool, { schema: db.schema });
    // A second pool: the other instance's own connections.
    const other = new pg.Pool({ connectionString: POSTGRES_URL });
    other.on("error", () => {});
    pools.push(other);
    return [
      postgresStorage({ pool: db.pool, schema: db.schema }),
      postgresStorage({ pool: other, schema: db.schema }),
    ];
  });
});
