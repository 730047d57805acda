import type { Redis } from "ioredis";
import type { RevocationStore } from "../../src/storage/ports.js";
import {
  EXTEND_TTL,
  guarded,
  prefixOf,
  type RedisPortOptions,
  script,
  ttlUntil,
} from "./client.js";

/*
 * One sorted set at `<prefix>revoked-sessions`: member = session id, score = revoked until (ms).
 * ZADD GT keeps the later expiry; a read is one ZSCORE, so every instance sees a revocation the
 * moment it is written.
 */

const revoke = script(`${EXTEND_TTL}
local expiry = ARGV[1]
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 'GT', expiry, ARGV[i]) end
extend(KEYS[1], tonumber(ARGV[2]))
return 1`);

export function redisRevocations(redis: Redis, options: RedisPortOptions = {}): RevocationStore {
  const key = `${prefixOf(options)}revoked-sessions`;

  return {
    async revokeSessions(sessionIds, until) {
      if (sessionIds.length === 0) return;
      await revoke(redis, [key], [until.getTime(), ttlUntil(until), ...sessionIds]);
    },
    async isSessionRevoked(sessionId, now) {
      const score = await guarded(() => redis.zscore(key, sessionId));
      return score !== null && Number(score) > now.getTime();
    },
    async deleteExpired(now) {
      return guarded(() => redis.zremrangebyscore(key, "-inf", now.getTime()));
    },
    async ping() {
      await guarded(() => redis.ping());
    },
  };
}
