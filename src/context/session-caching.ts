import { invalidatingStorage } from "../cache/invalidating-storage.js";
import {
  createSessionCache,
  SESSION_CACHE_DEFAULTS,
  type SessionCache,
} from "../cache/session-cache.js";
import { usableChannel } from "../cache/usable-channel.js";
import {
  createVerifiedTokenCache,
  type VerifiedTokenCache,
} from "../cache/verified-token-cache.js";
import type { ResolvedConfig } from "../config/config.js";
import type { Storage } from "../storage/ports.js";

export interface SessionCaching {
  /** The storage the core works through: `config.storage`, announcing its changes when caching. */
  storage: Storage;
  sessionCache?: SessionCache;
  tokenCache?: VerifiedTokenCache;
}

/**
 * The caches of an instance, from `session.cache` (see `SessionOptions.cache`):
 *
 * - The session cache, when the storage has a usable invalidation channel, or when
 *   `singleInstance` says changes can only come from this instance. It subscribes to the
 *   channel (serving nothing until the channel says it is in sync), and the core's storage is
 *   wrapped so that each write to sessions or users invalidates this cache and is published.
 *   A channel with `catchUp` (SQLite: other connections' commits) is asked before each hit.
 * - The verified-token cache, unless `session.cache` is `false`: it holds only what a
 *   signature check proved, never whether the session is still on, so it needs no channel.
 */
export function sessionCaching(config: ResolvedConfig): SessionCaching {
  const setting = config.session.cache;
  if (setting === false) return { storage: config.storage };
  const { maxEntries, ttlSeconds } = setting ?? SESSION_CACHE_DEFAULTS;
  const tokenCache = createVerifiedTokenCache({
    maxEntries,
    clockTolerance: config.tokens.clockTolerance,
  });
  const channel = usableChannel(config.storage);
  if (!channel && !setting?.singleInstance) return { storage: config.storage, tokenCache };

  // A channel that can look for changes it was not told of (SQLite) is asked before each hit.
  const sessionCache = createSessionCache(
    { maxEntries, ttlSeconds },
    channel?.catchUp?.bind(channel),
  );
  const storage = invalidatingStorage(config.storage, {
    async announce(change) {
      sessionCache.invalidate(change);
      await channel?.publish(change);
    },
    slid: (id, expiresAt) => sessionCache.slid(id, expiresAt),
  });
  if (channel) {
    channel.subscribe({
      invalidate: (change) => sessionCache.invalidate(change),
      available: (up) => sessionCache.setAvailable(up),
    });
  } else {
    sessionCache.setAvailable(true);
  }
  return { storage, sessionCache, tokenCache };
}
