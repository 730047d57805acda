import type { Redis } from "ioredis";
import type { VerificationRecord, VerificationStore } from "../../src/storage/ports.js";
import {
  EXTEND_TTL,
  guarded,
  prefixOf,
  type RedisPortOptions,
  script,
  ttlUntil,
} from "./client.js";

/*
 * A token is a JSON string at `<prefix>verification:<purpose>:<id>`, consumed with GETDEL: one
 * command, so of concurrent consumers one gets it. The purpose is part of the key, so trying a
 * token for the wrong purpose neither finds nor burns it. Each user has a set of their tokens'
 * `<purpose>:<id>` at `<prefix>user-verifications:<userId>`, for voiding them.
 */

const create = script(`${EXTEND_TTL}
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if KEYS[2] then
  redis.call('SADD', KEYS[2], ARGV[3])
  extend(KEYS[2], tonumber(ARGV[2]))
end
return 1`);

const deleteByUser = script(`
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  -- A member is <purpose>:<id>, and an id (a base64url hash) has no ':' in it.
  if ARGV[2] == '' or string.match(member, '^(.*):[^:]*$') == ARGV[2] then
    redis.call('DEL', ARGV[1] .. 'verification:' .. member)
    redis.call('SREM', KEYS[1], member)
  end
end
return 1`);

interface Stored {
  id: string;
  purpose: string;
  userId: string | null;
  identifier: string;
  data: string | null;
  createdAt: number;
  expiresAt: number;
}

export function redisVerifications(
  redis: Redis,
  options: RedisPortOptions = {},
): VerificationStore {
  const prefix = prefixOf(options);
  const tokenKey = (purpose: string, id: string) => `${prefix}verification:${purpose}:${id}`;
  const userKey = (userId: string) => `${prefix}user-verifications:${userId}`;

  return {
    async create(record) {
      const stored: Stored = {
        ...record,
        createdAt: record.createdAt.getTime(),
        expiresAt: record.expiresAt.getTime(),
      };
      const keys = [tokenKey(record.purpose, record.id)];
      if (record.userId !== null) keys.push(userKey(record.userId));
      await create(redis, keys, [
        JSON.stringify(stored),
        ttlUntil(record.expiresAt),
        `${record.purpose}:${record.id}`,
      ]);
    },
    async consume(id, purpose, now): Promise<VerificationRecord | null> {
      const json = await guarded(() => redis.getdel(tokenKey(purpose, id)));
      if (json === null) return null;
      const stored = JSON.parse(json) as Stored;
      const record = {
        ...stored,
        createdAt: new Date(stored.createdAt),
        expiresAt: new Date(stored.expiresAt),
      };
      return record.expiresAt > now ? record : null;
    },
    async deleteByUser(userId, purpose) {
      await deleteByUser(redis, [userKey(userId)], [prefix, purpose ?? ""]);
    },
    async deleteExpired() {
      // Tokens expire by themselves (every key has a TTL).
      return 0;
    },
    async ping() {
      await guarded(() => redis.ping());
    },
  };
}
