import type { Redis } from "ioredis";
import type {
  Invalidation,
  InvalidationChannel,
  InvalidationListener,
} from "../../src/storage/ports.js";
import { prefixOf, type RedisPortOptions, script } from "./client.js";

/*
 * The session cache's invalidation channel over Redis pub/sub (`Storage.invalidation`, which
 * `redisStorage` includes). Every change is published by one script that also counts it, so
 * messages carry a sequence number in the order Redis delivers them: `<seq>|<change>` on
 * `<prefix>invalidation`, the count at `<prefix>invalidation:seq`.
 *
 * Pub/sub delivers at most once, so the subscriber never assumes it heard everything:
 *
 * - It listens on a dedicated connection (`redis.duplicate()`, opened at the first subscriber,
 *   closed when your client ends). While that connection is down, or until it has
 *   resubscribed and read the count, the channel is unavailable: caches serve nothing.
 * - A message whose number does not follow the last one (a message lost, or a count that
 *   started over) drops every cached entry.
 * - Every `heartbeatMs` it reads the count, then PINGs the subscription: the PONG comes after
 *   every message published before the read, so a count ahead of what arrived means a lost
 *   message (everything is dropped). No answer within twice `heartbeatMs` (a link that went
 *   silent without closing) makes the channel unavailable and reconnects the subscriber.
 *
 * So a change published through here is acted on by every subscriber as soon as it arrives
 * (well under a millisecond on a LAN); a lost one, by the next message or heartbeat; and a
 * subscriber that stops hearing stops serving within `2 × heartbeatMs`.
 */

export interface RedisInvalidationOptions extends RedisPortOptions {
  /**
   * Milliseconds between the checks that no message was missed: also how long a lost message
   * can go unnoticed, and half how long a silent link can.
   * @default 250
   */
  heartbeatMs?: number;
}

// The count lives a day past the last change (every key of ours has a TTL): one that expired
// starts over at 1, which subscribers take for a gap, dropping everything once.
const COUNT_TTL_MS = 24 * 60 * 60 * 1000;
const publishCounted = script(`
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], seq .. '|' .. ARGV[2])
return seq`);

function encode(change: Invalidation): string {
  return change.kind === "all" ? "a" : `${change.kind === "session" ? "s" : "u"}:${change.id}`;
}

function decode(text: string): Invalidation | null {
  if (text === "a") return { kind: "all" };
  const id = text.slice(2);
  if (text.startsWith("s:")) return { kind: "session", id };
  if (text.startsWith("u:")) return { kind: "user", id };
  return null;
}

/** The channel over `redis` (a client you created; the subscriber is a duplicate of it). */
export function redisInvalidation(
  redis: Redis,
  options: RedisInvalidationOptions = {},
): InvalidationChannel {
  const prefix = prefixOf(options);
  const names = { channel: `${prefix}invalidation`, counter: `${prefix}invalidation:seq` };
  const heartbeatMs = options.heartbeatMs ?? 250;
  const listeners = new Set<InvalidationListener>();
  let link: Subscription | null = null;

  return {
    async publish(change) {
      await publishCounted(redis, [names.counter], [names.channel, encode(change), COUNT_TTL_MS]);
    },
    subscribe(listener) {
      listeners.add(listener);
      // A client already closed for good gets no subscriber: the channel stays unavailable.
      if (redis.status === "end") return () => listeners.delete(listener);
      link ??= subscription(redis, names, heartbeatMs, listeners);
      if (link.up) listener.available(true);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          link?.close();
          link = null;
        }
      };
    },
  };
}

interface Subscription {
  readonly up: boolean;
  close(): void;
}

function subscription(
  redis: Redis,
  names: { channel: string; counter: string },
  heartbeatMs: number,
  listeners: Set<InvalidationListener>,
): Subscription {
  const subscriber = redis.duplicate({ autoResubscribe: false, lazyConnect: false });
  let up = false;
  let closed = false;
  // Each sync (and the heartbeats after it) belongs to one attempt; a later one supersedes it.
  let attempt = 0;
  // Messages that arrive while a sync reads the count, applied once it has.
  let pending: string[] | null = null;
  // Every change numbered up to `lastSeq` is reflected; `base` is where the unbroken run began.
  let lastSeq = 0;
  let base = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const later = (run: () => void, ms: number) => {
    const handle = setTimeout(run, ms);
    // Never what keeps a process alive.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  };
  const each = (tell: (listener: InvalidationListener) => void) => {
    for (const listener of [...listeners]) tell(listener);
  };
  function setUp(value: boolean): void {
    if (up === value) return;
    up = value;
    each((listener) => listener.available(value));
  }
  function rebase(seq: number): void {
    lastSeq = seq;
    base = seq;
    each((listener) => listener.invalidate({ kind: "all" }));
  }
  function down(): void {
    attempt++;
    pending = null;
    clearTimeout(timer);
    setUp(false);
  }

  function receive(text: string): void {
    const bar = text.indexOf("|");
    const seq = Number(text.slice(0, bar));
    if (seq === lastSeq + 1) lastSeq = seq;
    else rebase(seq);
    const change = decode(text.slice(bar + 1));
    if (change) each((listener) => listener.invalidate(change));
  }

  async function readCount(): Promise<number> {
    return Number((await redis.get(names.counter)) ?? 0);
  }

  async function sync(): Promise<void> {
    down();
    const mine = attempt;
    pending = [];
    try {
      await subscriber.subscribe(names.channel);
      const count = await readCount();
      if (mine !== attempt || closed) return;
      const arrived = pending ?? [];
      pending = null;
      lastSeq = count;
      base = count;
      setUp(true);
      // Those numbered up to the count were published before it was read: the caches were
      // emptied since, and any read from now on sees their changes.
      for (const text of arrived) {
        if (Number(text.slice(0, text.indexOf("|"))) > count) receive(text);
      }
      timer = later(() => void heartbeat(mine), heartbeatMs);
    } catch {
      if (mine !== attempt || closed) return;
      pending = null;
      timer = later(() => void sync(), heartbeatMs);
    }
  }

  async function heartbeat(mine: number): Promise<void> {
    const silent = later(() => {
      if (mine !== attempt || closed) return;
      down();
      // Reconnects; its "ready" starts a new sync.
      subscriber.disconnect(true);
    }, 2 * heartbeatMs);
    try {
      const count = await readCount();
      await subscriber.ping();
      clearTimeout(silent);
      if (mine !== attempt || closed) return;
      // Everything numbered up to `count` has arrived by the PONG, or was lost.
      if (count < base || count > lastSeq) rebase(count);
      timer = later(() => void heartbeat(mine), heartbeatMs);
    } catch {
      clearTimeout(silent);
      if (mine === attempt && !closed) void sync();
    }
  }

  // Failures show as "close" or a failed sync; without a listener ioredis would print them.
  subscriber.on("error", () => {});
  subscriber.on("close", down);
  subscriber.on("ready", () => void sync());
  subscriber.on("message", (channel: string, text: string) => {
    if (channel !== names.channel) return;
    if (pending) pending.push(text);
    else if (up) receive(text);
  });
  const close = () => {
    if (closed) return;
    closed = true;
    down();
    subscriber.disconnect();
  };
  // The subscriber lives as long as the client it was duplicated from.
  redis.once("end", close);

  return {
    get up() {
      return up;
    },
    close,
  };
}
