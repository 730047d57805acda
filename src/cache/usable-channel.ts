import type { InvalidationChannel, Storage } from "../storage/ports.js";

/**
 * The storage's invalidation channel if the session cache may rely on it: one that watches
 * particular ports (a store in memory, a SQLite connection) counts only while the storage's
 * `sessions` and `users` are those very ports. `{ ...memoryStorage(), sessions:
 * redisSessions(redis) }` keeps the memory store's channel, which would never hear of a
 * session ended by another process: no channel, then (likewise over `sqliteStorage`, whose
 * channel sees only writes to its own file).
 */
export function usableChannel(storage: Storage): InvalidationChannel | null {
  const channel = storage.invalidation;
  if (!channel) return null;
  const { watches } = channel;
  if (watches && (watches.sessions !== storage.sessions || watches.users !== storage.users)) {
    return null;
  }
  return channel;
}
