import type { Pool } from "pg";
import type { Storage } from "../../src/storage/ports.js";
import { sqlStorage } from "../sql/index.js";
import { assertIdentifier, tableNames } from "../sql/tables.js";
import { postgresDriver } from "./driver.js";

/**
 * `portcullis/postgres`: every port in PostgreSQL, over a `pg` Pool you create.
 *
 *   const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 *   await migrate(pool);
 *   storage: postgresStorage({ pool, replica })
 *
 * Reads that may lag (finding a user, listing sessions) go to `replica` when given; reads that
 * must be fresh (consuming a token, reading a session or a password hash, rate-limit counters)
 * and every write go to `pool`.
 */
export interface PostgresStorageOptions {
  pool: Pool;
  /** A pool on a read replica, for reads that may lag. */
  replica?: Pool;
  /** The schema the tables live in (see `migrate`). Default: the connection's search_path. */
  schema?: string;
}

/** `postgresStorage(pool)` is short for `postgresStorage({ pool })`. */
export function postgresStorage(poolOrOptions: Pool | PostgresStorageOptions): Storage {
  const options: PostgresStorageOptions =
    "pool" in poolOrOptions ? poolOrOptions : { pool: poolOrOptions };
  const { pool, replica } = options;
  const schema = options.schema === undefined ? undefined : assertIdentifier(options.schema);
  for (const each of replica ? [pool, replica] : [pool]) {
    // An idle pooled connection that the server drops emits "error" on the pool; unheard, that
    // would end the process. The pool discards the connection and the next query reconnects.
    if (each.listenerCount("error") === 0) each.on("error", () => {});
  }
  const db = postgresDriver(pool);
  return sqlStorage(db, {
    tables: tableNames(schema),
    reads: replica ? postgresDriver(replica) : db,
  });
}

export { migratePostgres as migrate, type PostgresMigrateOptions } from "./migrate.js";
