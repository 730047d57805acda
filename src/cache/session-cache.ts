import type { Invalidation, InvalidationChannel, SessionRecord } from "../storage/ports.js";
import type { AuthResult, User } from "../types.js";

/*
 * The per-instance cache of validated sessions (`session.cache`), in front of the guard's
 * storage read. It only ever speeds up a "yes": an entry holds a session and its user as
 * storage last returned them, and the guard still checks on every hit, with the injected
 * clock, that the session is live and the secret (or the token's subject) matches. Anything the
 * cache cannot vouch for goes to storage: a miss, an entry older than `ttlSeconds` (or from a
 * clock that has since gone back), a session whose cached copy has expired (another instance
 * may have slid it), and everything while the invalidation channel is unavailable.
 *
 * Staleness is zero for changes made through the library: every write to sessions or users is
 * followed by `invalidate` (src/cache/invalidating-storage.ts), here and, over the channel, on
 * every other instance. A read that raced with a change is never stored: `ticket()` is taken
 * before the read, and `store` refuses when a change to that session or user (or `all`) came
 * in since. Only changes made behind the library's back wait out `ttlSeconds`.
 *
 * A channel that is not told of every change but can look (`InvalidationChannel.catchUp`:
 * SQLite, where another process commits to the same file without telling anyone) is asked
 * synchronously before each hit is served and when a read's ticket is taken; it looks at most
 * as often as it says (SQLite: every 2 ms), which bounds how long such a commit goes unseen. A
 * read racing such a commit needs no check in `store`: once the channel sees the commit it
 * delivers `all`, recorded after the ticket (so a store still pending is refused) and dropping
 * whatever was kept before. The ticket asks too, so that a commit the read already saw is acted
 * on first and does not drop the fresh entry at the next hit.
 */

/** `session.cache`'s defaults. */
export const SESSION_CACHE_DEFAULTS = { maxEntries: 10_000, ttlSeconds: 30 } as const;

export interface SessionCacheOptions {
  /** Entries kept at most; the oldest go first. */
  maxEntries: number;
  /** How long an entry is trusted without reading storage again. */
  ttlSeconds: number;
}

/** A session and its user as they were stored: what a hit hands out copies of. */
export interface CachedSession {
  readonly session: SessionRecord;
  readonly user: User;
}

interface Entry extends CachedSession {
  /** `user.metadata` as JSON: each hit parses its own copy, so no caller can change ours. */
  readonly metadata: string;
  /** The injected clock's time of the read, in ms. */
  readonly readAt: number;
}

/** How many recent changes a ticket can be checked against; older tickets are refused. */
const RECENT_CHANGES = 64;
/** The ticket of a read whose channel could not be asked: `store` refuses it. */
const REFUSED = Number.NEGATIVE_INFINITY;

export interface SessionCache {
  /** The entry for session `id` if it may be served at `now` (ms), else undefined. */
  lookup(id: string, now: number): CachedSession | undefined;
  /** Taken before a storage read that may be stored: which changes the read may predate. */
  ticket(): number;
  /** Keeps a live session of an enabled user read since `ticket`, unless it changed meanwhile. */
  store(ticket: number, found: CachedSession, now: number): void;
  /**
   * What the guard hands out for an entry (with the session's expiry at `expiresAt`, after a
   * slide): new objects for each caller, so nobody can change what the cache holds.
   */
  result(entry: CachedSession, expiresAt?: Date): AuthResult;
  /**
   * The user session `id` belongs to, if this cache has read it (entry or not: a session's
   * user never changes), so that a miss can read the session and its user at once.
   */
  ownerOf(id: string): string | undefined;
  /** Records a slide of session `id` to `expiresAt` (this instance's own write). */
  slid(id: string, expiresAt: Date): void;
  invalidate(change: Invalidation): void;
  /** Serve (true) or not (false); either way, everything cached so far is dropped. */
  setAvailable(up: boolean): void;
  /** Entries held, for tests and metrics. */
  readonly size: number;
}

/** `catchUp`: the channel's (`InvalidationChannel.catchUp`), when it has one. */
export function createSessionCache(
  options: SessionCacheOptions,
  catchUp?: InvalidationChannel["catchUp"],
): SessionCache {
  const ttl = options.ttlSeconds * 1000;
  const entries = new Map<string, Entry>();
  const byUser = new Map<string, Set<string>>();
  // Session id → user id: facts that never change, so no invalidation drops them.
  const owners = new Map<string, string>();
  // Changes so far, and the last RECENT_CHANGES of them, for `store` to check tickets against.
  let changes = 0;
  const recent: Invalidation[] = [];
  let available = false;

  function forget(id: string): void {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    const ids = byUser.get(entry.session.userId);
    ids?.delete(id);
    if (ids?.size === 0) byUser.delete(entry.session.userId);
  }

  function clear(): void {
    entries.clear();
    byUser.clear();
  }

  /** Whether a change since `ticket` concerns this session or its user. */
  function changedSince(ticket: number, found: CachedSession): boolean {
    if (changes - ticket > RECENT_CHANGES) return true;
    for (let n = ticket; n < changes; n++) {
      const change = recent[n % RECENT_CHANGES] as Invalidation;
      if (change.kind === "all") return true;
      if (change.kind === "session" ? change.id === found.session.id : change.id === found.user.id)
        return true;
    }
    return false;
  }

  /**
   * Lets the channel deliver what it has not been told of yet (it calls `invalidate` or
   * `setAvailable` synchronously). False when it threw: nothing may be served or kept then.
   */
  function caughtUp(): boolean {
    if (!catchUp) return true;
    try {
      catchUp();
      return true;
    } catch {
      return false;
    }
  }

  function record(change: Invalidation): void {
    recent[changes % RECENT_CHANGES] = change;
    changes++;
  }

  return {
    lookup(id, now) {
      if (!available) return undefined;
      let entry = entries.get(id);
      // Only an entry is worth asking the channel about; a miss asks when taking its ticket.
      if (entry === undefined) return undefined;
      if (catchUp) {
        if (!caughtUp() || !available) return undefined;
        // Gone if the channel has just delivered a change that drops it.
        entry = entries.get(id);
        if (entry === undefined) return undefined;
      }
      // Older than the TTL, or read "in the future" of a clock that has gone back: re-read.
      const age = now - entry.readAt;
      if (age >= 0 && age < ttl) return entry;
      forget(id);
      return undefined;
    },
    ticket() {
      // Other connections' commits so far are acted on before the read, which sees them. A
      // ticket taken while unavailable, or whose channel threw, is refused by `store`.
      return caughtUp() ? changes : REFUSED;
    },
    store(ticket, found, now) {
      if (!available || changedSince(ticket, found)) return;
      const { session, user } = found;
      forget(session.id);
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) forget(oldest);
      }
      entries.set(session.id, {
        session: copySession(session),
        user: {
          ...user,
          metadata: {},
          createdAt: new Date(user.createdAt.getTime()),
          updatedAt: new Date(user.updatedAt.getTime()),
        },
        metadata: JSON.stringify(user.metadata ?? {}),
        readAt: now,
      });
      if (!owners.has(session.id)) {
        if (owners.size >= options.maxEntries) {
          const oldest = owners.keys().next().value;
          if (oldest !== undefined) owners.delete(oldest);
        }
        owners.set(session.id, session.userId);
      }
      let ids = byUser.get(session.userId);
      if (!ids) {
        ids = new Set();
        byUser.set(session.userId, ids);
      }
      ids.add(session.id);
    },
    result(cached, expiresAt = cached.session.expiresAt) {
      const { session, user, metadata } = cached as Entry;
      return {
        // Field by field rather than a spread: one object shape, built in one go.
        user: {
          id: user.id,
          email: user.email,
          emailVerified: user.emailVerified,
          name: user.name,
          metadata: metadata === "{}" ? {} : JSON.parse(metadata),
          createdAt: new Date(user.createdAt.getTime()),
          updatedAt: new Date(user.updatedAt.getTime()),
          // Never a date: a disabled user is never cached.
          disabledAt: null,
        },
        // The public fields only (`toPublicSession`): never the secret's hash.
        session: {
          id: session.id,
          userId: session.userId,
          createdAt: new Date(session.createdAt.getTime()),
          expiresAt: new Date(expiresAt.getTime()),
          absoluteExpiresAt: new Date(session.absoluteExpiresAt.getTime()),
          ip: session.ip,
          userAgent: session.userAgent,
        },
      };
    },
    ownerOf(id) {
      return owners.get(id);
    },
    slid(id, expiresAt) {
      const entry = entries.get(id);
      if (entry) {
        entries.set(id, { ...entry, session: { ...entry.session, expiresAt } });
      }
    },
    invalidate(change) {
      record(change);
      if (change.kind === "all") clear();
      else if (change.kind === "session") forget(change.id);
      else for (const id of [...(byUser.get(change.id) ?? [])]) forget(id);
    },
    setAvailable(up) {
      record({ kind: "all" });
      clear();
      available = up;
    },
    get size() {
      return entries.size;
    },
  };
}

function copySession(session: SessionRecord): SessionRecord {
  return {
    ...session,
    createdAt: new Date(session.createdAt.getTime()),
    expiresAt: new Date(session.expiresAt.getTime()),
    absoluteExpiresAt: new Date(session.absoluteExpiresAt.getTime()),
  };
}
