import { memoryStorage as memoryPorts } from "../storage/memory/index.js";
import type {
  Invalidation,
  InvalidationChannel,
  InvalidationListener,
  SessionStore,
  Storage,
  UserStore,
} from "../storage/ports.js";
import { announceWrites } from "./announce-writes.js";

/**
 * Every port in this process's memory: for tests and trying things out. It is a real store
 * (uniqueness, expiry, atomic consume), but it forgets everything when the process ends and is
 * not shared between processes.
 *
 * It comes with an invalidation channel within the process (`Storage.invalidation`): every
 * write to its sessions and users, whoever makes it (any `createAuth` over this storage, or a
 * test writing to the storage directly), reaches the session cache of every `createAuth` over
 * it before the write's promise resolves. So `session.cache` is on by default here, and a
 * change made on the storage object itself is never served stale.
 */
export function memoryStorage(): Storage {
  const storage = memoryPorts();
  const { sessions, users } = storage;
  const channel = processChannel({ sessions, users });
  // The ports stay the same objects (the sessions port joins with this very `users`, so a test
  // that replaces `users.findById` is still honoured); only their writes are wrapped.
  announceWrites(storage, channel.deliver);
  return { ...storage, invalidation: channel };
}

/**
 * A channel within one process: delivery is a function call, so it is never unavailable and
 * loses nothing. It watches the ports it was made for (see `InvalidationChannel.watches`).
 */
function processChannel(watches: {
  sessions: SessionStore;
  users: UserStore;
}): InvalidationChannel & { deliver(change: Invalidation): void } {
  const listeners = new Set<InvalidationListener>();
  function deliver(change: Invalidation): void {
    for (const listener of listeners) listener.invalidate(change);
  }
  return {
    watches,
    deliver,
    // The ports announce their own writes (above), the ones made behind the core's back too.
    publish: async () => {},
    subscribe(listener) {
      listeners.add(listener);
      listener.available(true);
      return () => listeners.delete(listener);
    },
  };
}
