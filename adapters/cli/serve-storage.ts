/*
 * The storage `portcullis serve` runs on, from DATABASE_URL (SQLite or PostgreSQL, with its
 * replica) and REDIS_URL. The drivers are optional peers, loaded only when a URL asks for them,
 * and configured to fail fast while their server is down: a request then answers 503 at once
 * and the client reconnects by itself.
 */
import { createRequire } from "node:module";
import type { Redis, RedisOptions } from "ioredis";
import type { Pool, PoolConfig } from "pg";
import { ConfigError } from "../../src/config-error.js";
import type { Storage } from "../../src/index.js";
import type { Logger } from "../../src/util/logger.js";
import { postgresStorage } from "../postgres/index.js";
import { migratePostgres } from "../postgres/migrate.js";
import { redisStorage } from "../redis/index.js";
import { sqliteStorage } from "../sqlite/index.js";
import { loadDriver } from "./connection-error.js";
import type { ServeEnv } from "./serve-env.js";

export interface ServeStorage {
  storage: Storage;
  /** "sqlite" or "postgres", plus "+ redis": for the start line. */
  description: string;
  /** Applies missing migrations (MIGRATE=true); returns the versions applied. */
  migrate(): Promise<number[]>;
  /** Closes every connection this opened. */
  close(): Promise<void>;
}

const load = createRequire(import.meta.url);

/** The README's advice for PostgreSQL: a hung database becomes a fast 503, not a hung request. */
const POOL_DEFAULTS: PoolConfig = { connectionTimeoutMillis: 2000, query_timeout: 5000 };

function openPostgres(database: Extract<ServeEnv["database"], { kind: "postgres" }>) {
  const { Pool } = loadDriver<typeof import("pg")>(load, "pg", "PostgreSQL");
  const pool: Pool = new Pool({ ...POOL_DEFAULTS, connectionString: database.url });
  const replica: Pool | undefined =
    database.replicaURL === undefined
      ? undefined
      : new Pool({ ...POOL_DEFAULTS, connectionString: database.replicaURL });
  const storage = postgresStorage({ pool, replica, schema: database.schema });
  return {
    storage,
    migrate: () => migratePostgres(pool, { schema: database.schema }),
    async close() {
      await Promise.all([pool.end(), replica?.end()]);
    },
  };
}

function openSqlite(path: string, migrate: boolean) {
  // Opened unmigrated unless MIGRATE is on: sqliteStorage migrates on open when asked to.
  const storage = sqliteStorage({ path, migrate });
  return {
    storage: storage as Storage,
    migrate: async () => [],
    async close() {
      storage.close();
    },
  };
}

function openRedis(redis: NonNullable<ServeEnv["redis"]>, logger: Logger) {
  const module = loadDriver<{ Redis?: typeof Redis; default?: typeof Redis }>(
    load,
    "ioredis",
    "Redis",
  );
  const RedisClient = (module.Redis ?? module.default) as typeof Redis;
  const options: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  const client = new RedisClient(redis.url, options);
  // ioredis reports every failed reconnect: log the first of an outage, not each retry.
  let down = false;
  client.on("error", (error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, "Redis is unreachable; retrying");
  });
  client.on("ready", () => {
    if (down) logger.info("Redis is reachable again");
    down = false;
  });
  return {
    ports: redisStorage(client, { prefix: redis.prefix }),
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** `open()`, or a `ConfigError` naming the variable when it throws (no driver, no such directory). */
function opened<T>(variable: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    const reason =
      error instanceof ConfigError
        ? error.issues.map((issue) => issue.message).join("; ")
        : String((error as Error)?.message ?? error);
    throw new ConfigError(
      { option: variable, message: `${variable}: ${reason}` },
      { cause: error },
    );
  }
}

/**
 * Opens the storage the environment names. Nothing is connected to yet (pools and the Redis
 * client connect on first use, so a database still starting is a 503, not a crash); throws a
 * `ConfigError` naming the variable when a driver is missing or a SQLite file cannot be opened.
 */
export function openServeStorage(env: ServeEnv, logger: Logger): ServeStorage {
  const { database } = env;
  const sql = opened("DATABASE_URL", () =>
    database.kind === "postgres" ? openPostgres(database) : openSqlite(database.path, env.migrate),
  );
  let redis: ReturnType<typeof openRedis> | undefined;
  try {
    redis = env.redis
      ? opened("REDIS_URL", () => openRedis(env.redis as NonNullable<ServeEnv["redis"]>, logger))
      : undefined;
  } catch (error) {
    void sql.close();
    throw error;
  }
  return {
    storage: redis ? { ...sql.storage, ...redis.ports } : sql.storage,
    description: `${env.database.kind}${redis ? " + redis" : ""}`,
    migrate: sql.migrate,
    async close() {
      await Promise.all([sql.close(), redis?.close()]);
    },
  };
}
