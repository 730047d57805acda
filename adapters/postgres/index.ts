import type { Pool } from "pg";
import { ConfigError } from "../../src/config-error.js";
import type { Storage } from "../../src/storage/ports.js";
import { sqlStorage } from "../sql/index.js";
import { assertIdentifier, tableNames } from "../sql/tables.js";
import { postgresDriver } from "./driver.js";
import { replicaMonitor } from "./replica-lag.js";
import { replicaReads } from "./replica-reads.js";

/**
 * `portcullis/postgres`: every port in PostgreSQL, over a `pg` Pool you create.
 *
 *   const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 *   await migrate(pool);
 *   storage: postgresStorage({ pool, replica })
 *
 * Reads that may lag (finding a user, listing sessions, audit pages) go to `replica` when
 * given; reads that must be fresh (consuming a token, reading a session or a password hash,
 * rate-limit counters) and every write go to `pool`. A replica that is down, or further behind
 * than `maxReplicaLagSeconds`, is skipped until it is back: its reads go to the primary.
 */
export interface PostgresStorageOptions {
  pool: Pool;
  /**
   * A pool on a streaming read replica (a hot standby), for reads that may lag. Give it a
   * `connectionTimeoutMillis`: a replica that cannot be reached then costs one short wait
   * before its reads move to the primary, not a hung request.
   */
  replica?: Pool;
  /**
   * How stale the replica's view may be, in seconds, for reads to go there. Checked against
   * the primary's WAL position twice per this period while reads come in (two tiny queries);
   * a replica further behind (replay paused, stream cut, overloaded), not answering, or no
   * longer replaying (promoted) is skipped until it has caught up. Default 1.
   * @default 1
   */
  maxReplicaLagSeconds?: number;
  /** The schema the tables live in (see `migrate`). Default: the connection's search_path. */
  schema?: string;
}

/** `postgresStorage(pool)` is short for `postgresStorage({ pool })`. */
export function postgresStorage(poolOrOptions: Pool | PostgresStorageOptions): Storage {
  const options: PostgresStorageOptions =
    "pool" in poolOrOptions ? poolOrOptions : { pool: poolOrOptions };
  const { pool, replica, maxReplicaLagSeconds = 1 } = options;
  const schema = options.schema === undefined ? undefined : assertIdentifier(options.schema);
  if (
    typeof maxReplicaLagSeconds !== "number" ||
    !Number.isFinite(maxReplicaLagSeconds) ||
    maxReplicaLagSeconds <= 0
  ) {
    throw new ConfigError({
      option: "maxReplicaLagSeconds",
      message: `postgresStorage: maxReplicaLagSeconds must be a number of seconds above 0 (got ${String(maxReplicaLagSeconds)})`,
    });
  }
  for (const each of replica ? [pool, replica] : [pool]) {
    // An idle pooled connection that the server drops emits "error" on the pool; unheard, that
    // would end the process. The pool discards the connection and the next query reconnects.
    if (each.listenerCount("error") === 0) each.on("error", () => {});
  }
  const db = postgresDriver(pool);
  const reads = replica
    ? replicaReads(
        db,
        postgresDriver(replica),
        replicaMonitor(pool, replica, { maxLagMs: maxReplicaLagSeconds * 1000 }),
      )
    : db;
  return sqlStorage(db, { tables: tableNames(schema), reads });
}

export { migratePostgres as migrate, type PostgresMigrateOptions } from "./migrate.js";
