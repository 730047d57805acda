import { describe, expect, it } from "vitest";
import type {
  Invalidation,
  InvalidationChannel,
  InvalidationListener,
  Storage,
} from "../storage/ports.js";
import { createdUser, sessionRecord } from "./fixtures.js";

/*
 * The invalidation channel's contract (`Storage.invalidation`, optional: a storage without one
 * passes trivially, and `session.cache` is then off unless `singleInstance`). What the session
 * cache's zero staleness rests on: a subscriber is told when it may serve, and then hears every
 * change, in order, soon after the write (a channel may over-invalidate: `all` is always
 * allowed); a channel with `watches` hears the writes made through those ports by itself.
 */

const WAIT_MS = 5_000;

function recorder() {
  const heard: Invalidation[] = [];
  let up = false;
  const listener: InvalidationListener = {
    invalidate: (change) => heard.push(change),
    available: (value) => {
      up = value;
    },
  };
  return {
    listener,
    heard,
    get up() {
      return up;
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`the invalidation channel never ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const heardOf = (heard: Invalidation[], change: Invalidation) =>
  heard.some(
    (each) =>
      each.kind === "all" ||
      (each.kind === change.kind && "id" in change && "id" in each && each.id === change.id),
  );

/** Makes `change` happen: published, or written through the watched ports. */
async function cause(storage: Storage, channel: InvalidationChannel, change: Invalidation) {
  if (!channel.watches || change.kind === "all") return channel.publish(change);
  if (change.kind === "session") return storage.sessions.delete(change.id);
  await storage.users.update(change.id, { name: "changed", updatedAt: new Date() });
}

export function invalidationContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("invalidation channel", () => {
    it("becomes available, then tells every subscriber of each change, in order", async () => {
      const storage = await makeStorage();
      const channel = storage.invalidation;
      if (!channel) return;
      const first = recorder();
      const second = recorder();
      const stop = [channel.subscribe(first.listener), channel.subscribe(second.listener)];
      try {
        await until(() => first.up && second.up, "became available");
        const user = await createdUser(storage);
        const session = sessionRecord(user.id);
        await storage.sessions.create(session);
        first.heard.length = 0;
        second.heard.length = 0;
        const changes: Invalidation[] = [
          { kind: "session", id: session.id },
          { kind: "user", id: user.id },
        ];
        for (const change of changes) await cause(storage, channel, change);
        for (const each of [first, second]) {
          await until(() => changes.every((change) => heardOf(each.heard, change)), "delivered");
          const named = each.heard.filter((change) => change.kind !== "all");
          const order = changes.map((change) =>
            named.findIndex((heard) => heard.kind === change.kind && "id" in heard),
          );
          // Either in the order caused, or dropped in favour of `all` (which always suffices).
          if (!order.includes(-1)) expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      } finally {
        for (const unsubscribe of stop) unsubscribe();
      }
    });

    it("stops telling a subscriber that unsubscribed", async () => {
      const storage = await makeStorage();
      const channel = storage.invalidation;
      if (!channel) return;
      const gone = recorder();
      const staying = recorder();
      const unsubscribe = channel.subscribe(gone.listener);
      const stop = channel.subscribe(staying.listener);
      try {
        await until(() => gone.up && staying.up, "became available");
        unsubscribe();
        const user = await createdUser(storage);
        gone.heard.length = 0;
        await cause(storage, channel, { kind: "user", id: user.id });
        await until(() => heardOf(staying.heard, { kind: "user", id: user.id }), "delivered");
        expect(gone.heard).toEqual([]);
      } finally {
        stop();
      }
    });
  });
}
