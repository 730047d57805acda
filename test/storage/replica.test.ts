import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { createdUser, sessionRecord } from "../../src/testing/fixtures.js";
import { freshPostgres, postgresAvailable } from "./services.js";

const available = await postgresAvailable();

/** A replica that answers from behind: every read comes back empty, as if it had not caught up. */
function laggingReplica(queries: string[]): Pool {
  return {
    async query(sql: string) {
      queries.push(sql);
      return { rows: [], rowCount: 0 };
    },
    on() {},
    listenerCount: () => 1,
  } as unknown as Pool;
}

describe.skipIf(!available)("PostgreSQL with a read replica", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
  });
  afterAll(() => db?.drop());

  it("reads that may lag go to the replica, and a replica miss is asked of the primary", async () => {
    const queries: string[] = [];
    const storage = postgresStorage({
      pool: db.pool,
      replica: laggingReplica(queries),
      schema: db.schema,
    });
    const user = await createdUser(storage);
    // The replica has not seen the new user; the primary has, and answers.
    expect((await storage.users.findByEmail(user.email))?.id).toBe(user.id);
    expect((await storage.users.findById(user.id))?.id).toBe(user.id);
    expect(queries.filter((sql) => sql.includes("portcullis_users"))).toHaveLength(2);
    // The session list is allowed to lag...
    const session = sessionRecord(user.id);
    await storage.sessions.create(session);
    expect(await storage.sessions.listByUser(user.id)).toEqual([]);
    // ...but the session itself, the password hash, tokens and counters are read fresh.
    const before = queries.length;
    expect(await storage.sessions.get(session.id)).toEqual(session);
    expect(await storage.passwords.get(user.id)).not.toBeNull();
    await storage.rateLimits.hit(`k-${user.id}`, 1000, new Date());
    expect(await storage.rateLimits.peek(`k-${user.id}`, new Date(Date.now() - 1))).not.toBeNull();
    expect(queries.length).toBe(before);
  });
});
