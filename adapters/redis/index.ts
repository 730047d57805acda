import type { Redis } from "ioredis";
import type { Storage } from "../../src/storage/ports.js";
import type { RedisPortOptions } from "./client.js";
import { type RedisInvalidationOptions, redisInvalidation } from "./invalidation.js";
import { redisRateLimits } from "./rate-limits.js";
import { redisRevocations } from "./revocations.js";
import { redisSessions } from "./sessions.js";
import { redisVerifications } from "./verifications.js";

/**
 * `portcullis/redis`: the ports that suit a shared, fast key-value store, over an `ioredis`
 * client you create. Combine them with SQL storage for the rest:
 *
 *   storage: { ...postgresStorage({ pool }), ...redisStorage(redis, { prefix: "myapp:" }) }
 *
 * Every key carries a TTL. Configure the client to fail fast while Redis is down (for example
 * `{ maxRetriesPerRequest: 1, commandTimeout: 2000 }`): requests then answer 503 `unavailable`
 * instead of waiting, and the client reconnects by itself.
 *
 * It includes the session cache's invalidation channel (`redisInvalidation`, pub/sub on one
 * more connection, a duplicate of yours that closes when yours ends), so `session.cache` is on
 * and a revocation on any instance reaches every instance's cache at once. Every instance
 * writing these sessions and users must use it. `invalidation: false` leaves it out.
 */
export function redisStorage(
  redis: Redis,
  options: RedisStorageOptions = {},
): Pick<Storage, "sessions" | "rateLimits" | "verifications" | "revocations" | "invalidation"> {
  const { invalidation, ...ports } = options;
  return {
    sessions: redisSessions(redis, ports),
    rateLimits: redisRateLimits(redis, ports),
    verifications: redisVerifications(redis, ports),
    revocations: redisRevocations(redis, ports),
    ...(invalidation === false
      ? {}
      : { invalidation: redisInvalidation(redis, { ...ports, ...invalidation }) }),
  };
}

export interface RedisStorageOptions extends RedisPortOptions {
  /**
   * The session cache's invalidation channel: its options (`heartbeatMs`), or `false` for none
   * (the session cache is then off, unless `session.cache.singleInstance`).
   * @default {} (on)
   */
  invalidation?: false | Omit<RedisInvalidationOptions, "prefix">;
}

export type { RedisPortOptions } from "./client.js";
export type { RedisInvalidationOptions } from "./invalidation.js";
export { redisInvalidation, redisRateLimits, redisRevocations, redisSessions, redisVerifications };
