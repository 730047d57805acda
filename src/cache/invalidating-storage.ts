import type { Invalidation, SessionStore, Storage, UserStore } from "../storage/ports.js";

/*
 * Where the session cache hears of changes: the storage the core works through
 * (`ctx.storage`), wrapped so that every write to sessions or users is followed by `announce`
 * (this instance's cache, then the invalidation channel to every other instance). Wrapping the
 * ports rather than calling a hook from each flow means a new flow, or a new revocation path,
 * cannot forget it: ending a session, revoking a user's sessions, disabling, deleting or
 * updating a user (email, verification, name, metadata) all write through these methods.
 *
 * The announcement comes after the write has completed, never before: a read that starts
 * after the announcement sees the change, and one that started before it is refused by the
 * cache's ticket check. A write that fails is announced all the same (it may have been applied:
 * a timeout after the commit), then fails as it did.
 */

/** Announces one change; rejects when the other instances could not be told. */
export type Announce = (change: Invalidation) => Promise<void>;

export interface InvalidatingHooks {
  announce: Announce;
  /** A slide this instance wrote (no other instance needs it: their copies only get older). */
  slid(id: string, expiresAt: Date): void;
}

export function invalidatingStorage(storage: Storage, hooks: InvalidatingHooks): Storage {
  const { announce } = hooks;
  async function changing<T>(write: () => Promise<T>, change: Invalidation): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      await announce(change).catch(() => {});
      throw error;
    }
    await announce(change);
    return result;
  }

  const users: Partial<UserStore> = {
    update: (id, patch) => changing(() => storage.users.update(id, patch), { kind: "user", id }),
    delete: (id) => changing(() => storage.users.delete(id), { kind: "user", id }),
  };
  const sessions: Partial<SessionStore> = {
    delete: (id) => changing(() => storage.sessions.delete(id), { kind: "session", id }),
    deleteByUser: (userId, exceptId) =>
      changing(() => storage.sessions.deleteByUser(userId, exceptId), {
        kind: "user",
        id: userId,
      }),
    async updateExpiry(id, expiresAt) {
      await storage.sessions.updateExpiry(id, expiresAt);
      hooks.slid(id, expiresAt);
    },
  };
  return {
    ...storage,
    users: delegate(storage.users, users),
    sessions: delegate(storage.sessions, sessions),
  };
}

/**
 * `port` with `overrides` in front. Everything else is read from `port` at each use, called on
 * `port` itself (a store written as a class keeps its `this`), so a method replaced on the
 * port after `createAuth` (tests simulate outages that way) is still the one called.
 */
function delegate<T extends object>(port: T, overrides: Partial<T>): T {
  const bound = new WeakMap<object, unknown>();
  return new Proxy(port, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      let method = bound.get(value);
      if (method === undefined) {
        method = value.bind(target);
        bound.set(value, method);
      }
      return method;
    },
  });
}
