import type { Redis } from "ioredis";
import type { SessionRecord, SessionStore } from "../../src/storage/ports.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";
import {
  EXTEND_TTL,
  guarded,
  prefixOf,
  type RedisPortOptions,
  script,
  ttlUntil,
} from "./client.js";

/*
 * A session is a hash at `<prefix>session:<id>`; each user has a set of their session ids at
 * `<prefix>user-sessions:<userId>` for listing and revoking. Ids in the set whose session has
 * expired away are pruned as they are found. Scripts touch keys beyond those they declare, so
 * this adapter wants a single Redis server (or a primary with replicas), not Redis Cluster.
 */

const create = script(`${EXTEND_TTL}
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[3 + 1])
extend(KEYS[2], tonumber(ARGV[2]))
return 1`);

const updateExpiry = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'expiresAt', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

const remove = script(`
local userId = redis.call('HGET', KEYS[1], 'userId')
redis.call('DEL', KEYS[1])
if userId then redis.call('SREM', ARGV[1] .. 'user-sessions:' .. userId, ARGV[2]) end
return 1`);

const deleteByUser = script(`
local deleted = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[2] then
    if redis.call('DEL', ARGV[1] .. 'session:' .. id) == 1 then table.insert(deleted, id) end
    redis.call('SREM', KEYS[1], id)
  end
end
return deleted`);

function toFields(session: SessionRecord): string[] {
  const fields = [
    "id",
    session.id,
    "secretHash",
    session.secretHash,
    "userId",
    session.userId,
    "createdAt",
    String(session.createdAt.getTime()),
    "expiresAt",
    String(session.expiresAt.getTime()),
    "absoluteExpiresAt",
    String(session.absoluteExpiresAt.getTime()),
  ];
  if (session.ip !== null) fields.push("ip", session.ip);
  if (session.userAgent !== null) fields.push("userAgent", session.userAgent);
  return fields;
}

function toRecord(hash: Record<string, string>): SessionRecord | null {
  if (hash.id === undefined) return null;
  return {
    id: hash.id,
    secretHash: hash.secretHash as string,
    userId: hash.userId as string,
    createdAt: new Date(Number(hash.createdAt)),
    expiresAt: new Date(Number(hash.expiresAt)),
    absoluteExpiresAt: new Date(Number(hash.absoluteExpiresAt)),
    ip: hash.ip ?? null,
    userAgent: hash.userAgent ?? null,
  };
}

const earlier = (a: Date, b: Date) => (a < b ? a : b);

/**
 * Sessions in Redis. A session key lives until the earlier of its two expiries (the core's
 * `isLive` rule, as a TTL), so expired sessions go by themselves. There is no `getWithUser`:
 * users live in another store, so the core reads the session here and the user from the users
 * port, and a composed storage (`{ ...postgresStorage(pool), sessions: redisSessions(redis) }`)
 * never joins across stores.
 */
export function redisSessions(redis: Redis, options: RedisPortOptions = {}): SessionStore {
  const prefix = prefixOf(options);
  const sessionKey = (id: string) => `${prefix}session:${id}`;
  const userKey = (userId: string) => `${prefix}user-sessions:${userId}`;

  return {
    async create(session) {
      const fields = toFields(session);
      // ARGV: session TTL, index TTL, then the hash's field/value pairs (the id is the 2nd).
      await create(
        redis,
        [sessionKey(session.id), userKey(session.userId)],
        [
          ttlUntil(earlier(session.expiresAt, session.absoluteExpiresAt)),
          ttlUntil(session.absoluteExpiresAt),
          ...fields,
        ],
      );
    },
    async get(id) {
      return toRecord(await guarded(() => redis.hgetall(sessionKey(id))));
    },
    async updateExpiry(id, expiresAt) {
      await updateExpiry(
        redis,
        [sessionKey(id)],
        [String(expiresAt.getTime()), ttlUntil(expiresAt)],
      );
    },
    async delete(id) {
      await remove(redis, [sessionKey(id)], [prefix, id]);
    },
    async deleteByUser(userId, exceptId) {
      return (await deleteByUser(redis, [userKey(userId)], [prefix, exceptId ?? ""])) as string[];
    },
    listByUser(userId) {
      return guarded(async () => {
        const ids = await redis.smembers(userKey(userId));
        if (ids.length === 0) return [];
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hgetall(sessionKey(id));
        const replies = (await pipeline.exec()) ?? [];
        const sessions: SessionRecord[] = [];
        const gone: string[] = [];
        replies.forEach(([error, hash], index) => {
          if (error) throw error;
          const record = toRecord(hash as Record<string, string>);
          if (record) sessions.push(record);
          else gone.push(ids[index] as string);
        });
        // Ids whose session expired away are dropped from the index as they are found.
        if (gone.length > 0) await redis.srem(userKey(userId), ...gone);
        return sessions.sort(
          (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id),
        );
      });
    },
    async deleteExpired() {
      // Sessions expire by themselves (every key has a TTL).
      return 0;
    },
    /**
     * A write, not PING: a replica left behind by a failover (READONLY) or a server at
     * `maxmemory` with `noeviction` (OOM) answers PING and refuses every new session. A key of
     * its own that expires by itself; an OOM refuses it as it would a session.
     */
    async ping() {
      try {
        await guarded(() => redis.set(`${prefix}readiness-probe`, "1", "PX", 10_000));
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        const refusal = /^(READONLY|OOM|MISCONF)\b/.exec(
          cause instanceof Error ? cause.message : "",
        );
        if (!refusal) throw error;
        throw storageUnavailable(
          cause,
          `Redis answers but refuses writes (${refusal[1]}: a replica after a failover, maxmemory reached, or a failed snapshot): sign-ins would fail`,
        );
      }
    },
  };
}
