// What the storage benches share: the environment they read, the built adapters, a throughput
// loop, and connections to the services (each row creates and drops its own schema or prefix).
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";

const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url));
const load = (name) => import(pathToFileURL(join(DIST, `${name}.js`)).href);

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
export const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export const core = await load("index");
export const { sqliteStorage } = await load("sqlite");
export const { postgresStorage, migrate } = await load("postgres");
export const { redisStorage } = await load("redis");

/** Runs `operation` CONCURRENCY at a time for SECONDS; returns operations per second. */
export async function throughput(operation) {
  async function run(seconds) {
    let count = 0;
    const end = performance.now() + seconds * 1000;
    async function worker() {
      while (performance.now() < end) {
        await operation();
        count++;
      }
    }
    const start = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return count / ((performance.now() - start) / 1000);
  }
  // Warm up at full concurrency first: pools open their connections, JITs and caches settle.
  await run(Math.min(1, SECONDS / 2));
  return run(SECONDS);
}

/** A pg Pool with a fresh, migrated schema; `drop()` removes both. */
export async function postgresWithSchema(name) {
  const schema = `portcullis_bench_${name}_${process.pid}`;
  const pool = new pg.Pool({
    connectionString: POSTGRES_URL,
    max: 10,
    connectionTimeoutMillis: 2000,
  });
  await migrate(pool, { schema });
  return {
    pool,
    schema,
    async drop() {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** A Redis connection that fails fast when the server is away, with a key prefix of its own. */
export async function redisWithPrefix(name) {
  const redis = new Redis(REDIS_URL, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  await redis.connect();
  const prefix = `portcullis_bench_${name}_${process.pid}:`;
  return {
    redis,
    prefix,
    async drop() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
