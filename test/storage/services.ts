import { Redis } from "ioredis";
import pg from "pg";

/*
 * The real databases the storage tests run against. A missing service skips its suites with a
 * visible warning on a developer's machine, and fails the run in CI (CI=true), where it must be up.
 */

export const POSTGRES_URL =
  process.env.PORTCULLIS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.PORTCULLIS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const inCI = () => process.env.CI === "true" || process.env.CI === "1";

function missing(service: string, error: unknown): false {
  const reason = error instanceof Error ? error.message : String(error);
  if (inCI()) throw new Error(`${service} is required in CI but unreachable: ${reason}`);
  console.warn(
    `\n[portcullis] ${service} unreachable (${reason}): its storage tests are SKIPPED\n`,
  );
  return false;
}

let postgres: Promise<boolean> | undefined;
let redis: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  postgres ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch (error) {
      return missing(`PostgreSQL at ${POSTGRES_URL}`, error);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgres;
}

export function redisAvailable(): Promise<boolean> {
  redis ??= (async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (error) {
      return missing(`Redis at ${REDIS_URL}`, error);
    } finally {
      client.disconnect();
    }
  })();
  return redis;
}

/** A name for this run's schema or key prefix: parallel runs never see each other's data. */
export function runName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** A pool on a fresh schema of its own; `drop` removes the schema and closes the pool. */
export async function freshPostgres(options: { max?: number } = {}) {
  const schema = runName("portcullis_test");
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: options.max ?? 10 });
  pool.on("error", () => {});
  return {
    pool,
    schema,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await pool.end();
    },
  };
}

/**
 * A Redis client configured the way we recommend for auth: a command fails fast when the server
 * is gone (503) instead of queueing forever, and the client keeps reconnecting in the background.
 */
export function redisClient(url = REDIS_URL): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  client.on("error", () => {});
  return client;
}

/** Deletes every key under `prefix` (tests use their own prefix). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}
