import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { memoryStorage } from "../../src/index.js";
import type { OutboxRecord, OutboxStore } from "../../src/storage/ports.js";
import { freshPostgres, postgresAvailable } from "../storage/services.js";

/*
 * `OutboxStore.countPending`, optional, behind the `portcullis_outbox_backlog` gauge: every
 * message queued and not dead-lettered (due, waiting for a retry or leased alike).
 */

const T0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function record(id: string, availableAt: Date): OutboxRecord {
  return {
    id,
    payload: `sealed-${id}`,
    attempts: 0,
    availableAt,
    lastError: null,
    createdAt: T0,
    deadAt: null,
  };
}

function backlogSuite(store: () => OutboxStore) {
  it("counts messages queued and not dead: due, leased and waiting for a retry", async () => {
    const outbox = store();
    const count = () => (outbox.countPending as () => Promise<number>)();
    expect(typeof outbox.countPending).toBe("function");
    expect(await count()).toBe(0);
    for (const id of ["due", "leased", "retry", "sent", "dead"]) {
      await outbox.enqueue(record(id, at(0)));
    }
    await outbox.enqueue(record("later", at(600)));
    expect(await count()).toBe(6);
    await outbox.markSent("sent");
    await outbox.markDead("dead", at(1), "gave up");
    expect(await count()).toBe(4);
    // A claim leases messages: still pending until sent or dead.
    const claimed = await outbox.claimDue(at(2), at(62), 10);
    expect(claimed.map((claim) => claim.id).sort()).toEqual(["due", "leased", "retry"]);
    await outbox.reschedule("retry", at(300), "try later");
    expect(await count()).toBe(4);
    await outbox.markSent("due");
    expect(await count()).toBe(3);
  });
}

describe("countPending, memory", () => {
  backlogSuite(() => memoryStorage().outbox);
});

describe("countPending, SQLite", () => {
  backlogSuite(() => sqliteStorage({ database: new Database(":memory:") }).outbox);
});

const postgres = await postgresAvailable();

describe.skipIf(!postgres)("countPending, PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let outbox: OutboxStore;
  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
    outbox = postgresStorage({ pool: db.pool, schema: db.schema }).outbox;
  });
  afterAll(() => db?.drop());
  backlogSuite(() => outbox);
});
