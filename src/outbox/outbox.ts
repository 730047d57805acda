import { randomId } from "../crypto/ids.js";
import type { RandomSource } from "../crypto/random.js";
import { oneLine } from "../mail/escape.js";
import type { Mailer, MailMessage } from "../mail/message.js";
import type { OutboxRecord, OutboxStore } from "../storage/ports.js";
import type { PayloadCipher } from "./payload-cipher.js";

export interface OutboxOptions {
  /** Attempts before a message is dead-lettered. */
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
  /** The message, or null when it cannot be decrypted (sealed under another secret). */
  message: MailMessage | null;
  attempts: number;
  lastError: string | null;
  deadAt: Date;
}

export interface Outbox {
  /**
   * Stores the message durably, then starts delivering it without waiting: the caller's response
   * time does not depend on the mail server, and a failure leaves the message queued for retry.
   */
  send(message: MailMessage): Promise<void>;
  /**
   * Costs what `send` costs (sealing, one outbox write) and changes nothing: for requests that
   * must not reveal by their timing that no mail was sent.
   */
  rehearse(message: MailMessage): Promise<void>;
  /** Waits for deliveries already under way, then tries every message that is due. */
  flush(): Promise<FlushResult>;
  /** Flushes every `intervalMs` (unref'd where the runtime allows); returns the stop function. */
  start(options?: { intervalMs?: number }): () => void;
  stop(): void;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
}

export interface OutboxDependencies {
  store: OutboxStore;
  mailer: Mailer;
  cipher: PayloadCipher;
  options: OutboxOptions;
  now(): Date;
  random: RandomSource;
  log?: (message: string, error?: unknown) => void;
  /** Told of every message given up on, after it is stored as dead (for `mail.dead_lettered`). */
  onDeadLetter?: (dead: {
    id: string;
    message: MailMessage | null;
    attempts: number;
    error: string;
  }) => void | Promise<void>;
  /**
   * Told of every delivery attempt as it ends: the mailer took the message (`sent`) or threw
   * (`failed`, whether a retry follows or not). Synchronous; for `portcullis_mail_total`.
   */
  onAttempt?: (outcome: "sent" | "failed") => void;
}

type Outcome = keyof FlushResult;

const describeError = (error: unknown) =>
  oneLine(error instanceof Error ? error.message : String(error), 500) || "send failed";

export function createOutbox(deps: OutboxDependencies): Outbox {
  const { store, mailer, cipher, options } = deps;
  const log = deps.log ?? (() => {});
  const inFlight = new Set<Promise<unknown>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let flushing: Promise<FlushResult> | undefined;

  const after = (seconds: number) => new Date(deps.now().getTime() + seconds * 1000);

  function backoffSeconds(attempts: number): number {
    const exponent = Math.min(attempts - 1, 30);
    return Math.min(options.backoffSeconds * 2 ** exponent, options.maxBackoffSeconds);
  }

  async function giveUp(record: OutboxRecord, message: MailMessage | null, error: string) {
    await store.markDead(record.id, deps.now(), error);
    try {
      await deps.onDeadLetter?.({ id: record.id, message, attempts: record.attempts, error });
    } catch (failure) {
      log("dead-letter listener failed", failure);
    }
    return "dead" as const;
  }

  function reportAttempt(outcome: "sent" | "failed") {
    try {
      deps.onAttempt?.(outcome);
    } catch (failure) {
      log("attempt listener failed", failure);
    }
  }

  /** One attempt at a claimed record; settles its fate in storage. */
  async function attempt(record: OutboxRecord, message: MailMessage | null): Promise<Outcome> {
    if (!message) return giveUp(record, null, "payload cannot be decrypted with this secret");
    if (message.expiresAt !== undefined && Date.parse(message.expiresAt) <= deps.now().getTime()) {
      // A dead link helps nobody and reads like a phishing attempt: set it aside instead.
      return giveUp(record, message, "expired before it could be delivered");
    }
    try {
      await mailer.send(message);
    } catch (error) {
      reportAttempt("failed");
      const reason = describeError(error);
      if (record.attempts >= options.maxAttempts) {
        log(`mail ${record.id} dead-lettered after ${record.attempts} attempts: ${reason}`);
        return giveUp(record, message, reason);
      }
      await store.reschedule(record.id, after(backoffSeconds(record.attempts)), reason);
      return "retried";
    }
    reportAttempt("sent");
    await store.markSent(record.id);
    return "sent";
  }

  async function openMessage(record: OutboxRecord): Promise<MailMessage | null> {
    const plain = await cipher.open(record.payload);
    return plain === null ? null : (JSON.parse(plain) as MailMessage);
  }

  function track(promise: Promise<unknown>) {
    const tracked = promise.catch((error) => log("mail delivery failed", error));
    inFlight.add(tracked);
    tracked.finally(() => inFlight.delete(tracked));
  }

  async function flushOnce(): Promise<FlushResult> {
    await Promise.allSettled([...inFlight]);
    const result: FlushResult = { sent: 0, retried: 0, dead: 0 };
    // Rescheduled messages move into the future, so rounds end; the cap guards a busy queue.
    for (let round = 0; round < 100; round++) {
      const claimed = await store.claimDue(
        deps.now(),
        after(options.leaseSeconds),
        options.batchSize,
      );
      const outcomes = await Promise.all(
        claimed.map(async (record) => attempt(record, await openMessage(record).catch(() => null))),
      );
      for (const outcome of outcomes) result[outcome]++;
      if (claimed.length < options.batchSize) break;
    }
    return result;
  }

  const outbox: Outbox = {
    async send(message) {
      const now = deps.now();
      const record: OutboxRecord = {
        id: randomId(deps.random),
        payload: await cipher.seal(JSON.stringify(message)),
        // Enqueued already leased to this instance for its first attempt, so no other instance
        // claims it meanwhile; if this process dies mid-send, the lease ends and another does.
        attempts: 1,
        availableAt: after(options.leaseSeconds),
        lastError: null,
        createdAt: now,
        deadAt: null,
      };
      await store.enqueue(record);
      track(attempt(record, message));
    },
    async rehearse(message) {
      await cipher.seal(JSON.stringify(message));
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
        records.map(async (record) => ({
          id: record.id,
          message: await openMessage(record).catch(() => null),
          attempts: record.attempts,
          lastError: record.lastError,
          deadAt: record.deadAt as Date,
        })),
      );
    },
  };
  return outbox;
}
