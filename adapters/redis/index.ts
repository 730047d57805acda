import type { Redis } from "ioredis";
import type { Storage } from "../../src/storage/ports.js";
import type { RedisPortOptions } from "./client.js";
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
 */
export function redisStorage(
  redis: Redis,
  options: RedisPortOptions = {},
): Pick<Storage, "sessions" | "rateLimits" | "verifications" | "revocations"> {
  return {
    sessions: redisSessions(redis, options),
    rateLimits: redisRateLimits(redis, options),
    verifications: redisVerifications(redis, options),
    revocations: redisRevocations(redis, options),
  };
}

export type { RedisPortOptions } from "./client.js";
export { redisRateLimits, redisRevocations, redisSessions, redisVerifications };
