import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { AuthEvent, Storage } from "../../src/index.js";
import { makeAuth, manualClock, registered } from "../helpers.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "../storage/services.js";
import { bodyOf, type Receiver, sample, startReceiver } from "./receiver.js";

/*
 * Never lost on restart: an instance queues a delivery its receiver cannot take and stops; a new
 * instance, over a new connection to the same SQL database, delivers it with the same webhook-id.
 */

/** A database that outlives the instances over it; `connect` is one process's connection. */
interface Database {
  connect(): Promise<Storage & { close(): Promise<void> | void }>;
  drop(): Promise<void>;
}

function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-webhooks-"));
  const path = join(dir, "auth.db");
  return {
    connect: async () => sqliteStorage({ path }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresDatabase(): Promise<Database> {
  const db = await freshPostgres({ max: 2 });
  await migrate(db.pool, { schema: db.schema });
  return {
    async connect() {
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
      pool.on("error", () => {});
      return Object.assign(postgresStorage({ pool, schema: db.schema }), {
        close: () => pool.end(),
      });
    },
    drop: () => db.drop(),
  };
}

const postgres = await postgresAvailable();

const cases: [string, () => Promise<Database>, boolean][] = [
  ["SQLite", async () => sqliteDatabase(), false],
  ["PostgreSQL", postgresDatabase, !postgres],
];

let hooks: Receiver | undefined;
afterEach(async () => {
  await hooks?.close();
  hooks = undefined;
});

for (const [name, open, skip] of cases) {
  describe.skipIf(skip)(`webhooks over ${name}, across a restart`, () => {
    let database: Database | undefined;
    afterAll(() => database?.drop());

    it("a new instance delivers what the stopped one queued, with the same webhook-id", async () => {
      database = await open();
      const clock = manualClock(Math.floor(Date.now() / 1000) * 1000);
      hooks = await startReceiver();
      await hooks.down();
      const webhooks = [
        { url: hooks.url, secret: hooks.secret, events: ["user.registered" as const] },
      ];

      const first = await database.connect();
      const before = makeAuth({ clock, storage: first, webhooks });
      const heard: AuthEvent[] = [];
      before.on("user.registered", (event) => void heard.push(event));
      await registered(before, "ada@example.com");
      expect(await before.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(
        sample(await before.metrics(), 'portcullis_webhook_deliveries_total{outcome="failed"}'),
      ).toBe(1);
      await first.close(); // the process stops

      await hooks.up();
      const second = await database.connect();
      try {
        const after = makeAuth({ clock, storage: second, webhooks });
        clock.advance(29);
        expect(await after.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
        clock.advance(1);
        expect(await after.api.flushOutbox()).toEqual({ sent: 1, retried: 0, dead: 0 });
        expect(hooks.received).toHaveLength(1);
        const [delivery] = hooks.received;
        expect(delivery?.verified).toBe(true);
        expect(delivery?.headers["webhook-id"]).toBe(heard[0]?.id);
        expect(bodyOf(delivery).data).toEqual(JSON.parse(JSON.stringify(heard[0])));
        expect(await after.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
      } finally {
        await second.close();
      }
    });
  });
}
