import Database from "better-sqlite3";
import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { redisSessions } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { Storage } from "../../src/storage/ports.js";
import { countedStorage } from "../counted-storage.js";
import { makeAuth, registered } from "../helpers.js";
import {
  deleteKeys,
  freshPostgres,
  postgresAvailable,
  redisAvailable,
  redisClient,
  runName,
} from "./services.js";

/*
 * The guard over real stores: one query where the sessions port joins the user, and never a
 * join across stores. The join's results themselves are checked by the conformance suite
 * (`sessionsContract`), which every adapter's test file runs.
 */

/** Registers a user over `inner`, then authenticates through a counting wrapper. */
async function guardCalls(inner: Storage) {
  const { cookie, user } = await registered(makeAuth({ storage: inner }));
  const { storage, calls } = countedStorage(inner);
  const result = await makeAuth({ storage }).authenticate({ cookie });
  return { result, calls, user: await inner.users.findById(user.id) };
}

describe("SQLite: the guard joins the user in one call", () => {
  it("uses getWithUser, and hands back what findById does", async () => {
    const storage = sqliteStorage({ database: new Database(":memory:") });
    expect(storage.sessions.getWithUser).toBeTypeOf("function");
    const { result, calls, user } = await guardCalls(storage);
    expect(calls).toEqual(["sessions.getWithUser"]);
    expect(result?.user).toEqual(user);
  });
});

const pgAvailable = await postgresAvailable();

/** A pool that records the SQL it runs and passes it on. */
function recordingPool(pool: Pool, queries: string[]): Pool {
  return {
    query(sql: string, params: unknown[]) {
      queries.push(sql);
      return pool.query(sql, params);
    },
    connect: () => pool.connect(),
    on() {},
    listenerCount: () => 1,
  } as unknown as Pool;
}

describe.skipIf(!pgAvailable)("PostgreSQL: the guard's one query goes to the primary", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
  });
  afterAll(() => db?.drop());

  it("one JOIN on the primary, nothing on the replica, even while the replica lags", async () => {
    const primary: string[] = [];
    const replica: string[] = [];
    // A replica that has seen nothing yet: every read comes back empty.
    const lagging = {
      async query(sql: string) {
        replica.push(sql);
        return { rows: [], rowCount: 0 };
      },
      on() {},
      listenerCount: () => 1,
    } as unknown as Pool;
    const storage = postgresStorage({
      pool: recordingPool(db.pool, primary),
      replica: lagging,
      schema: db.schema,
    });
    const { cookie, user } = await registered(makeAuth({ storage }));
    primary.length = 0;
    replica.length = 0;
    const result = await makeAuth({ storage }).authenticate({ cookie });
    expect(result?.user.id).toBe(user.id);
    expect(primary).toHaveLength(1);
    expect(primary[0]).toMatch(/JOIN/);
    expect(replica).toEqual([]);
  });
});

const redisUp = await redisAvailable();

describe.skipIf(!redisUp)("Redis sessions composed with SQL users: no join across stores", () => {
  const redis = redisClient();
  const prefix = `${runName("portcullis_test")}:`;
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("has no getWithUser, so the guard reads the session and then the user", async () => {
    const storage: Storage = {
      ...sqliteStorage({ database: new Database(":memory:") }),
      sessions: redisSessions(redis, { prefix }),
    };
    expect(storage.sessions.getWithUser).toBeUndefined();
    const { result, calls, user } = await guardCalls(storage);
    expect(calls).toEqual(["sessions.get", "users.findById"]);
    expect(result?.user).toEqual(user);
  });
});
