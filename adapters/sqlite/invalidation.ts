import { announceWrites } from "../../src/cache/announce-writes.js";
import type {
  Invalidation,
  InvalidationChannel,
  InvalidationListener,
  Storage,
} from "../../src/storage/ports.js";
import type { SqliteDatabase } from "./driver.js";

/*
 * The session cache's invalidation channel for `sqliteStorage` (`Storage.invalidation`), so
 * that `session.cache` is on by default over SQLite with zero staleness, even when other
 * processes write the same file. Two sources of changes, two mechanisms:
 *
 * - Writes through this connection's ports (every `createAuth` over this storage, or code
 *   calling `storage.sessions.delete(...)` directly) are delivered to every subscriber by the
 *   ports themselves, once the write has completed, as `memoryStorage` does. So `publish` has
 *   nothing left to do.
 * - Commits by any other connection (another process, another `sqliteStorage` on the same
 *   file, the sqlite3 shell) tell nobody. SQLite counts them instead: `PRAGMA data_version`
 *   changes on this connection whenever another connection has committed since (never for
 *   this connection's own writes, so those do not empty the cache). The session cache calls
 *   `catchUp` synchronously before serving an entry and when it takes a read's ticket; a
 *   changed value delivers `all`. Any commit counts (a rate-limit hit in another process
 *   empties this cache too): coarse, but exact, and with no timer.
 *
 * The check takes a read lock on the `-shm` file (two `fcntl` calls, about 5 µs): on every hit
 * it would cost more than the rest of the guard. So `catchUp` asks SQLite at most once per
 * `CROSS_PROCESS_CHECK_MS`, and the guarantee is: a change made through this storage object is
 * refused at once; a commit by any other connection, within `CROSS_PROCESS_CHECK_MS` (a
 * revocation in another process is refused by this one within 2 ms, where Redis pub/sub takes a
 * few). Between checks a read that raced such a commit may be kept; the next check drops it.
 *
 * Not seen: raw SQL run on this very connection (a `database` you passed and also write to by
 * hand). That waits out `session.cache.ttlSeconds`, as any change behind the library's back.
 */

/** How long, at most, a commit by another connection to the file goes unseen by the cache. */
export const CROSS_PROCESS_CHECK_MS = 2;

/** `storage` with its sessions and users writes announced and the channel included. */
export function withSqliteInvalidation(db: SqliteDatabase, storage: Storage): Storage {
  const { sessions, users } = storage;
  const channel = sqliteChannel(db, { sessions, users });
  // The port objects stay the same (the channel `watches` them); only their writes are wrapped.
  announceWrites(storage, channel.deliver);
  return { ...storage, invalidation: channel };
}

function sqliteChannel(
  db: SqliteDatabase,
  watches: Pick<Storage, "sessions" | "users">,
): InvalidationChannel & { deliver(change: Invalidation): void } {
  // Prepared once for the life of the storage: `.get()` and the column, which both
  // better-sqlite3 and node:sqlite have (`.pluck()` is better-sqlite3's only).
  const statement = db.prepare("PRAGMA data_version");
  const read = () => (statement.get() as { data_version: number | bigint }).data_version;
  const listeners = new Set<InvalidationListener>();
  const each = (tell: (listener: InvalidationListener) => void) => {
    for (const listener of [...listeners]) tell(listener);
  };
  let seen: number | bigint | undefined;
  let up = false;
  let checkedAt = Number.NEGATIVE_INFINITY;
  function setUp(value: boolean): void {
    if (up === value) return;
    up = value;
    each((listener) => listener.available(value));
  }
  function catchUp(): void {
    // Monotonic: a wall clock set back must not stop the checks.
    const at = performance.now();
    if (up && at - checkedAt < CROSS_PROCESS_CHECK_MS) return;
    checkedAt = at;
    let version: number | bigint;
    try {
      version = read();
    } catch {
      // Closed or broken: we cannot tell what others committed, so the caches serve nothing
      // (and are emptied). A later successful read makes them available again, from empty.
      setUp(false);
      return;
    }
    if (!up) {
      seen = version;
      setUp(true);
    } else if (version !== seen) {
      seen = version;
      each((listener) => listener.invalidate({ kind: "all" }));
    }
  }
  catchUp();
  return {
    watches,
    deliver: (change) => each((listener) => listener.invalidate(change)),
    // The ports announce this connection's writes themselves (above); `catchUp` the others'.
    publish: async () => {},
    subscribe(listener) {
      listeners.add(listener);
      if (up) listener.available(true);
      return () => listeners.delete(listener);
    },
    catchUp,
  };
}
