import { randomId } from "../crypto/ids.js";
import type { RandomSource } from "../crypto/random.js";
import { oneLine } from "../mail/escape.js";
import type { MailMessage } from "../mail/message.js";
import type { OutboxRecord, OutboxStore } from "../storage/ports.js";
import {
  type Delivery,
  type DeliveryKind,
  type DeliveryOf,
  decodeDelivery,
  encodeDelivery,
  type WebhookDelivery,
} from "./delivery.js";
import type { PayloadCipher } from "./payload-cipher.js";

/*
 * The durable outbox: every mail message and every webhook delivery is stored (sealed) before
 * anything is tried, tried once at once, then retried with back-off from `flush` until delivered
 * or dead-lettered. One queue for every kind; how a kind is delivered is its `Carrier`.
 */

export interface OutboxOptions {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** Wait after the first failure; doubles with each further failure. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
  /** How long a claimed message is reserved for the instance sending it. */
  leaseSeconds: number;
  /** Messages claimed per round of a flush. */
  batchSize: number;
}

export interface FlushResult {
  sent: number;
  /** Failed and queued for another attempt. */
  retried: number;
  /** Failed for the last time, or unreadable: dead-lettered. */
  dead: number;
}

export interface DeadLetter {
  id: string;
  /**
   * What was queued: `"mail"` or `"webhook"`; null when the record cannot be read (sealed under
   * another secret, or of a kind a later version added).
   */
  kind: DeliveryKind | null;
  /** The message, for mail; null for any other kind or when unreadable. */
  message: MailMessage | null;
  /** The delivery (endpoint URL, `webhook-id`, event type, body), for webhooks; else null. */
  webhook: WebhookDelivery | null;
  attempts: number;
  lastError: string | null;
  deadAt: Date;
}

/** How one kind of delivery is carried out. */
export interface Carrier<D extends Delivery> {
  /**
   * Why the delivery must be given up before any attempt (a link that has expired, an endpoint
   * no longer configured), or null to attempt it.
   */
  refuse(delivery: D): string | null;
  /** One attempt: resolves once delivered, throws when not (its message says why). */
  deliver(delivery: D): Promise<void>;
}

export type Carriers = { [K in DeliveryKind]: Carrier<DeliveryOf<K>> };

export interface Outbox {
  /**
   * Stores the delivery durably, then starts it without waiting: the caller's response time
   * does not depend on the mail server or the endpoint, and a failure leaves it queued for retry.
   */
  send(delivery: Delivery): Promise<void>;
  /**
   * Costs what `send` costs (sealing, one outbox write) and changes nothing: for requests that
   * must not reveal by their timing that no mail was sent.
   */
  rehearse(delivery: Delivery): Promise<void>;
  /** Waits for deliveries already under way, then tries every one that is due. */
  flush(): Promise<FlushResult>;
  /** Flushes every `intervalMs` (unref'd where the runtime allows); returns the stop function. */
  start(options?: { intervalMs?: number }): () => void;
  stop(): void;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
}

export interface OutboxDependencies {
  store: OutboxStore;
  carriers: Carriers;
  cipher: PayloadCipher;
  options: OutboxOptions;
  now(): Date;
  random: RandomSource;
  log?: (message: string, error?: unknown) => void;
  /**
   * Told of every delivery given up on, after it is stored as dead; `delivery` is null when the
   * record could not be read. For `mail.dead_lettered`, the dead-letter metrics and logs.
   */
  onDeadLetter?: (dead: {
    id: string;
    delivery: Delivery | null;
    attempts: number;
    error: string;
  }) => void | Promise<void>;
  /**
   * Told of every attempt as it ends: the carrier delivered (`sent`) or threw (`failed`, whether
   * a retry follows or not). Synchronous; for `portcullis_mail_total` and
   * `portcullis_webhook_deliveries_total`.
   */
  onAttempt?: (kind: DeliveryKind, outcome: "sent" | "failed") => void;
}

type Outcome = keyof FlushResult;

const describeError = (error: unknown) =>
  oneLine(error instanceof Error ? error.message : String(error), 500) || "send failed";

/** A record's delivery, or why it cannot be read. */
type Opened = { delivery: Delivery } | { delivery: null; problem: string };

export function createOutbox(deps: OutboxDependencies): Outbox {
  const { store, carriers, cipher, options } = deps;
  const log = deps.log ?? (() => {});
  const inFlight = new Set<Promise<unknown>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let flushing: Promise<FlushResult> | undefined;

  const after = (seconds: number) => new Date(deps.now().getTime() + seconds * 1000);

  function backoffSeconds(attempts: number): number {
    const exponent = Math.min(attempts - 1, 30);
    return Math.min(options.backoffSeconds * 2 ** exponent, options.maxBackoffSeconds);
  }

  async function giveUp(record: OutboxRecord, delivery: Delivery | null, error: string) {
    await store.markDead(record.id, deps.now(), error);
    try {
      await deps.onDeadLetter?.({ id: record.id, delivery, attempts: record.attempts, error });
    } catch (failure) {
      log("dead-letter listener failed", failure);
    }
    return "dead" as const;
  }

  function reportAttempt(kind: DeliveryKind, outcome: "sent" | "failed") {
    try {
      deps.onAttempt?.(kind, outcome);
    } catch (failure) {
      log("attempt listener failed", failure);
    }
  }

  // One signature for every kind: each variant goes to the carrier of its own kind.
  const carrierOf = (delivery: Delivery) => carriers[delivery.kind] as Carrier<Delivery>;

  /** One attempt at a claimed record; settles its fate in storage. */
  async function attempt(record: OutboxRecord, opened: Opened): Promise<Outcome> {
    const { delivery } = opened;
    if (delivery === null) return giveUp(record, null, opened.problem);
    const carrier = carrierOf(delivery);
    const refusal = carrier.refuse(delivery);
    if (refusal !== null) return giveUp(record, delivery, refusal);
    try {
      await carrier.deliver(delivery);
    } catch (error) {
      reportAttempt(delivery.kind, "failed");
      const reason = describeError(error);
      if (record.attempts >= options.maxAttempts) return giveUp(record, delivery, reason);
      await store.reschedule(record.id, after(backoffSeconds(record.attempts)), reason);
      return "retried";
    }
    reportAttempt(delivery.kind, "sent");
    await store.markSent(record.id);
    return "sent";
  }

  async function open(record: OutboxRecord): Promise<Opened> {
    const plain = await cipher.open(record.payload).catch(() => null);
    if (plain === null) {
      return { delivery: null, problem: "payload cannot be decrypted with this secret" };
    }
    const delivery = decodeDelivery(plain);
    return delivery === null
      ? { delivery: null, problem: "payload is not a delivery this version can read" }
      : { delivery };
  }

  function track(promise: Promise<unknown>) {
    const tracked = promise.catch((error) => log("outbox delivery failed", error));
    inFlight.add(tracked);
    tracked.finally(() => inFlight.delete(tracked));
  }

  async function flushOnce(): Promise<FlushResult> {
    await Promise.allSettled([...inFlight]);
    const result: FlushResult = { sent: 0, retried: 0, dead: 0 };
    // Rescheduled deliveries move into the future, so rounds end; the cap guards a busy queue.
    for (let round = 0; round < 100; round++) {
      const claimed = await store.claimDue(
        deps.now(),
        after(options.leaseSeconds),
        options.batchSize,
      );
      const outcomes = await Promise.all(
        claimed.map(async (record) => attempt(record, await open(record))),
      );
      for (const outcome of outcomes) result[outcome]++;
      if (claimed.length < options.batchSize) break;
    }
    return result;
  }

  const outbox: Outbox = {
    async send(delivery) {
      const now = deps.now();
      const record: OutboxRecord = {
        id: randomId(deps.random),
        payload: await cipher.seal(encodeDelivery(delivery)),
        // Enqueued already leased to this instance for its first attempt, so no other instance
        // claims it meanwhile; if this process dies mid-send, the lease ends and another does.
        attempts: 1,
        availableAt: after(options.leaseSeconds),
        lastError: null,
        createdAt: now,
        deadAt: null,
      };
      await store.enqueue(record);
      track(attempt(record, { delivery }));
    },
    async rehearse(delivery) {
      await cipher.seal(encodeDelivery(delivery));
      await store.markSent(randomId(deps.random));
    },
    flush() {
      // One flush at a time per instance; callers during a flush share its result.
      flushing ??= flushOnce().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    start({ intervalMs = 30_000 } = {}) {
      outbox.stop();
      timer = setInterval(() => {
        outbox.flush().catch((error) => log("outbox flush failed", error));
      }, intervalMs);
      (timer as { unref?: () => void }).unref?.();
      return outbox.stop;
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    async deadLetters(limit = 100) {
      const records = await store.listDead(limit);
      return Promise.all(
        records.map(async (record): Promise<DeadLetter> => {
          const { delivery } = await open(record);
          return {
            id: record.id,
            kind: delivery?.kind ?? null,
            message: delivery?.kind === "mail" ? delivery.message : null,
            webhook: delivery?.kind === "webhook" ? delivery.webhook : null,
            attempts: record.attempts,
            lastError: record.lastError,
            deadAt: record.deadAt as Date,
          };
        }),
      );
    },
  };
  return outbox;
}
