import type { Invalidation, Storage } from "../storage/ports.js";

/**
 * Wraps, in place, the writes of `sessions` and `users` so that each one, once done, is handed
 * to `deliver` as the change it made: how a store whose own ports are its invalidation channel
 * (`memoryStorage`, `sqliteStorage`) announces the writes made through it, including writes made
 * on the storage object directly, behind the core. The port objects stay the same (a channel
 * `watches` them; the sessions port may join with this very `users`). A failed write is
 * announced all the same: it may have been applied before it failed.
 */
export function announceWrites(
  { sessions, users }: Pick<Storage, "sessions" | "users">,
  deliver: (change: Invalidation) => void,
): void {
  const after = <A extends unknown[], R>(
    write: (...args: A) => Promise<R>,
    change: (...args: A) => Invalidation,
  ) =>
    async function announced(...args: A): Promise<R> {
      try {
        return await write(...args);
      } finally {
        deliver(change(...args));
      }
    };
  users.update = after(users.update.bind(users), (id) => ({ kind: "user", id }));
  users.delete = after(users.delete.bind(users), (id) => ({ kind: "user", id }));
  sessions.delete = after(sessions.delete.bind(sessions), (id) => ({ kind: "session", id }));
  sessions.updateExpiry = after(sessions.updateExpiry.bind(sessions), (id) => ({
    kind: "session",
    id,
  }));
  sessions.deleteByUser = after(sessions.deleteByUser.bind(sessions), (userId) => ({
    kind: "user",
    id: userId,
  }));
}
