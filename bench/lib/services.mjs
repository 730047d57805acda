// The PostgreSQL pool and Redis client the HTTP benches run on, or why they cannot.

import { Redis } from "ioredis";
import pg from "pg";

export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A connected pool (`max` connections) and Redis client, errors silenced (the bench reports
 * its own failures); or a string saying which is unreachable, with both closed again.
 */
export async function connectServices({ max }) {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max });
  pool.on("error", () => {});
  const redis = new Redis(REDIS_URL, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    await pool.query("SELECT 1");
    return { pool, redis };
  } catch (error) {
    redis.disconnect();
    await pool.end();
    return `PostgreSQL or Redis unreachable (${error.message})`;
  }
}
