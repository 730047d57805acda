import { usableChannel } from "../cache/usable-channel.js";
import type { ConfigIssue } from "../config-error.js";
import type { Storage } from "../storage/ports.js";

/**
 * `session.cache` given as options over a storage without an invalidation channel is refused
 * unless `singleInstance` says no other instance writes the storage: asking for a cache and
 * silently getting none would hide the trade-off, and a cache another instance's revocations
 * cannot reach would serve revoked sessions.
 */
export function checkSessionCache(
  options: { session: { cache?: false | { singleInstance: boolean } }; storage: Storage },
  issues: ConfigIssue[],
): void {
  const cache = options.session.cache;
  if (!cache || cache.singleInstance || usableChannel(options.storage)) return;
  issues.push({
    option: "session.cache",
    message:
      "session.cache: this storage has no invalidation channel, so another instance's revocations could not reach the cache: compose redisStorage(redis) into the storage (the channel of memoryStorage or sqliteStorage is lost once another store provides sessions or users), or set session.cache.singleInstance: true if this is the only instance writing it",
  });
}
