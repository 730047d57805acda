import type { Redis } from "ioredis";
import type { RateLimitStore, RateLimitWindow } from "../../src/storage/ports.js";
import { guarded, prefixOf, type RedisPortOptions, script, TTL_MARGIN_MS } from "./client.js";

/*
 * A window is a hash { c: count, r: resetAt } at `<prefix>rate:<key>`. One script decides each
 * hit (open, restart or count), so instances sharing the server share one exact count.
 */

const hit = script(`
local now = tonumber(ARGV[1])
local reset = redis.call('HGET', KEYS[1], 'r')
if (not reset) or tonumber(reset) <= now then
  reset = ARGV[2]
  redis.call('HSET', KEYS[1], 'c', 0, 'r', reset)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
local count = redis.call('HINCRBY', KEYS[1], 'c', 1)
return { count, reset }`);

const peek = script(`
local window = redis.call('HMGET', KEYS[1], 'c', 'r')
if (not window[2]) or tonumber(window[2]) <= tonumber(ARGV[1]) then return false end
return window`);

const toWindow = ([count, reset]: [unknown, unknown]): RateLimitWindow => ({
  count: Number(count),
  resetAt: new Date(Number(reset)),
});

export function redisRateLimits(redis: Redis, options: RedisPortOptions = {}): RateLimitStore {
  const prefix = prefixOf(options);
  const windowKey = (key: string) => `${prefix}rate:${key}`;

  return {
    async hit(key, windowMs, now) {
      const reply = await hit(
        redis,
        [windowKey(key)],
        [now.getTime(), String(now.getTime() + windowMs), windowMs + TTL_MARGIN_MS],
      );
      return toWindow(reply as [unknown, unknown]);
    },
    async peek(key, now) {
      const reply = await peek(redis, [windowKey(key)], [now.getTime()]);
      return reply ? toWindow(reply as [unknown, unknown]) : null;
    },
    async reset(key) {
      await guarded(() => redis.del(windowKey(key)));
    },
    async ping() {
      await guarded(() => redis.ping());
    },
  };
}
