import type { Storage } from "../../src/index.js";

/**
 * Counts the guard's storage reads by wrapping the read methods of the storage's own port
 * objects in place, so the storage keeps its invalidation channel (which watches those very
 * objects; `countedStorage` makes new ones, which turns the cache off). `hold()` makes the next
 * reads wait until `release()`: a read racing a change.
 */
export function countReads(storage: Storage) {
  let reads = 0;
  let gate: Promise<void> | null = null;
  let open: () => void = () => {};
  const { sessions, users } = storage;
  // Only the guard's outermost read waits at the gate, once it has read everything.
  const wrap = <A extends unknown[], R>(read: (...args: A) => Promise<R>, gated: boolean) => {
    return async (...args: A): Promise<R> => {
      reads++;
      const result = await read(...args);
      if (gated && gate) await gate;
      return result;
    };
  };
  const join = sessions.getWithUser;
  if (join) sessions.getWithUser = wrap(join.bind(sessions), true);
  sessions.get = wrap(sessions.get.bind(sessions), !join);
  users.findById = wrap(users.findById.bind(users), false);
  return {
    get reads() {
      return reads;
    },
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = null;
      open();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every millisecond or so until it holds; the time it took, in ms. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(1);
  }
}
