import type { Pool, PoolClient } from "pg";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import { migrations, migrationsTable } from "../sql/migrations.js";
import { assertIdentifier, tableNames } from "../sql/tables.js";
import { isUnavailable } from "./errors.js";

export interface PostgresMigrateOptions {
  /** The schema the tables live in; created when missing. Default: the connection's search_path. */
  schema?: string;
}

/** One lock key per schema: instances of two apps in two schemas do not wait for each other. */
function lockKey(schema: string): number {
  let hash = 0x5eed;
  for (const char of `portcullis:${schema}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Applies the migrations the database has not seen, each in its own transaction, holding a
 * session-level advisory lock throughout: ten instances starting at once take turns, the first
 * migrates, the other nine find nothing left to do. Returns the versions this call applied.
 */
export async function migratePostgres(
  pool: Pool,
  options: PostgresMigrateOptions = {},
): Promise<number[]> {
  const schema = options.schema === undefined ? undefined : assertIdentifier(options.schema);
  const t = tableNames(schema);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    // Whatever stops a connection from opening is the link's or the server's, not a migration's.
    throw storageUnavailable(error);
  }
  const key = lockKey(schema ?? "public");
  const applied: number[] = [];
  let failure: unknown;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [key]);
    try {
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(migrationsTable("postgres", t));
      const { rows } = await client.query<{ version: number }>(
        `SELECT version FROM ${t.migrations}`,
      );
      const done = new Set(rows.map((row) => Number(row.version)));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query("BEGIN");
        try {
          for (const statement of migration.statements("postgres", t))
            await client.query(statement);
          await client.query(
            `INSERT INTO ${t.migrations} (version, name, applied_at) VALUES ($1, $2, $3)`,
            [migration.version, migration.name, Date.now()],
          );
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
        applied.push(migration.version);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => {});
    }
  } catch (error) {
    failure = error;
    throw isUnavailable(error) ? storageUnavailable(error) : error;
  } finally {
    client.release(failure instanceof Error ? failure : undefined);
  }
  return applied;
}
