import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { migrations } from "../../adapters/sql/migrations.js";
import type { Storage } from "../../src/storage/ports.js";
import { testStorage } from "../../src/testing/index.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable, runName } from "./services.js";

const available = await postgresAvailable();

describe.skipIf(!available)("PostgreSQL storage", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let storage: Storage;

  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
    storage = postgresStorage({ pool: db.pool, schema: db.schema });
  });
  afterAll(() => db?.drop());

  testStorage(() => storage);

  it("takes a bare pool too, with the tables in the connection's search_path", async () => {
    const schema = runName("portcullis_test");
    // Every connection of this pool starts with the test's schema as its search_path.
    const pool = new pg.Pool({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${schema}`,
    });
    try {
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await migrate(pool);
      const bare = postgresStorage(pool);
      const user = await bare.users.create({
        id: "bare-pool-user",
        email: "bare@example.com",
        emailVerified: false,
        name: null,
        createdAt: new Date(),
      });
      expect((await bare.users.findByEmail("BARE@example.com"))?.id).toBe(user.id);
      const { rows } = await pool.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1",
        [schema],
      );
      expect(rows[0].n).toBeGreaterThan(5);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it("migrates once when ten instances start at the same moment", async () => {
    const fresh = await freshPostgres();
    const pools = await Promise.all(Array.from({ length: 10 }, () => freshPostgres({ max: 2 })));
    try {
      const applied = await Promise.all(
        pools.map((each) => migrate(each.pool, { schema: fresh.schema })),
      );
      // Exactly one start applied each migration; the other nine found nothing to do.
      expect(applied.flat().sort()).toEqual(migrations.map((m) => m.version));
      const { rows } = await fresh.pool.query(
        `SELECT version FROM "${fresh.schema}".portcullis_migrations ORDER BY version`,
      );
      expect(rows.map((row) => row.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      await Promise.all(pools.map((each) => each.pool.end()));
      await fresh.drop();
    }
  });
});
