import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { translateRedisError as translate } from "./errors.js";

export interface RedisPortOptions {
  /** Prepended to every key, so several apps (or test runs) can share one server. Default "portcullis:". */
  prefix?: string;
}

/**
 * Every key gets a TTL: the record's own expiry, measured on this machine's clock, plus a margin
 * for clocks that disagree. Expiry is still checked against the library's clock on every read,
 * so the TTL only bounds how long a dead record takes up memory; it never decides validity.
 */
export const TTL_MARGIN_MS = 5 * 60 * 1000;
export const ttlUntil = (until: Date) => Math.max(until.getTime() - Date.now(), 0) + TTL_MARGIN_MS;

/** Runs Redis commands; an outage becomes `unavailable` (503), a bug stays what it is (`errors.ts`). */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translate(error);
  }
}

/** A Lua script, sent once per connection by hash (EVALSHA) and in full only when unknown. */
export function script(source: string) {
  const sha = createHash("sha1").update(source).digest("hex");
  return async function run(
    redis: Redis,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    return guarded(async () => {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    });
  };
}

export const prefixOf = (options: RedisPortOptions = {}) => options.prefix ?? "portcullis:";

/** Raises a key's TTL to at least `ttl` ms (a set of ids outlives its longest-lived member). */
export const EXTEND_TTL = `
local function extend(key, ttl)
  local current = redis.call('PTTL', key)
  if current < ttl then redis.call('PEXPIRE', key, ttl) end
end
`;
