import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { webCryptoRandom } from "../../src/crypto/random.js";
import {
  type AuthEvent,
  type MailMessage,
  memoryStorage,
  type OutboxRecord,
  type WebhookEndpoint,
} from "../../src/index.js";
import { payloadCipher } from "../../src/outbox/payload-cipher.js";
import { makeAuth, manualClock, PASSWORD, registered, sessionTokenFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import {
  bodyOf,
  captureLogger,
  makeSecret,
  type Receiver,
  sample,
  signatureHeaders,
  startReceiver,
} from "./receiver.js";

/*
 * Webhooks end to end (DESIGN §6): real flows emit events, the outbox queues one delivery per
 * endpoint that takes the event, and a real HTTP receiver on loopback verifies every delivery
 * with the reference Standard Webhooks library. Retries are driven by the injected clock; it
 * starts at the real time because receivers reject timestamps more than 5 minutes off, so no
 * test moves it further than that.
 */

const receivers: Receiver[] = [];
async function receiver(secret?: string): Promise<Receiver> {
  const started = await startReceiver(secret);
  receivers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((each) => each.close()));
});

/** A clock at the real time, on a whole second (so `webhook-timestamp` is exact). */
const realClock = () => manualClock(Math.floor(Date.now() / 1000) * 1000);

const endpoint = (
  to: Receiver,
  events: WebhookEndpoint["events"] = ["user.registered"],
): WebhookEndpoint => ({ url: to.url, secret: to.secret, events });

const deliveries = async (auth: { metrics(): Promise<string> }, outcome: string) =>
  sample(await auth.metrics(), `portcullis_webhook_deliveries_total{outcome="${outcome}"}`);

describe("webhook delivery", () => {
  it("POSTs a real flow's events, signed, to each endpoint that takes them", async () => {
    const clock = realClock();
    const [onlyRegistered, onlySignIns, everything] = [
      await receiver(),
      await receiver(),
      await receiver(),
    ];
    const auth = makeAuth({
      clock,
      webhooks: [
        endpoint(onlyRegistered, ["user.registered"]),
        endpoint(onlySignIns, ["user.signed_in"]),
        endpoint(everything, ["*"]),
      ],
    });
    const heard: AuthEvent[] = [];
    auth.on("*", (event) => void heard.push(event));
    const { user, response } = await registered(auth, "ada@example.com");
    // The first attempts run without holding the response; a flush waits for them.
    await auth.api.flushOutbox();

    expect(onlyRegistered.received).toHaveLength(1);
    const [delivery] = onlyRegistered.received;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.status).toBe(204);
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.headers["user-agent"]).toMatch(/^Portcullis-Webhooks\/\d/);
    expect(delivery?.headers["webhook-timestamp"]).toBe(String(clock.now() / 1000));
    const registration = heard.find((event) => event.type === "user.registered");
    // The body is `{ type, timestamp, data }`, `data` the event exactly as listeners got it.
    expect(bodyOf(delivery)).toEqual({
      type: "user.registered",
      timestamp: registration?.at,
      data: JSON.parse(JSON.stringify(registration)),
    });
    expect(bodyOf(delivery).data).toMatchObject({ userId: user.id, email: "ada@example.com" });
    // The webhook-id is the event's id: what receivers deduplicate on.
    expect(delivery?.headers["webhook-id"]).toBe(registration?.id);

    expect(onlySignIns.received.map((each) => bodyOf(each).type)).toEqual(["user.signed_in"]);
    expect(everything.received.map((each) => bodyOf(each).type).sort()).toEqual([
      "user.registered",
      "user.signed_in",
    ]);
    const all = [...onlyRegistered.received, ...onlySignIns.received, ...everything.received];
    expect(all.every((each) => each.verified)).toBe(true);
    // Never a secret: not the password, not the session token.
    for (const each of all) {
      expect(each.body).not.toContain(PASSWORD);
      expect(each.body).not.toContain(sessionTokenFrom(response));
    }
    expect(await deliveries(auth, "sent")).toBe(4);
    expect(await deliveries(auth, "failed")).toBe(0);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
  });

  it("signs for real: a wrong secret or any change to id, timestamp or body fails verification", async () => {
    const clock = realClock();
    const honest = await receiver();
    const suspicious = await receiver(); // verifies with its own secret
    const auth = makeAuth({
      clock,
      webhooks: [
        endpoint(honest),
        { url: suspicious.url, secret: makeSecret(), events: ["user.registered"] },
      ],
    });
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();

    expect(suspicious.received).toHaveLength(1);
    expect(suspicious.received[0]).toMatchObject({ verified: false, status: 401 });
    expect(suspicious.received[0]?.error).toMatch(/signature/i);
    expect(await deliveries(auth, "failed")).toBe(1);

    const delivery = honest.received[0];
    expect(delivery?.verified).toBe(true);
    const body = delivery?.body as string;
    const headers = signatureHeaders(delivery?.headers ?? {});
    const verifier = new Webhook(honest.secret);
    expect(() => verifier.verify(body, headers)).not.toThrow();
    const tampered = [
      [body.replace("ada@example.com", "eve@example.com"), headers],
      [`${body} `, headers],
      [body, { ...headers, "webhook-id": `${headers["webhook-id"]}x` }],
      [body, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) }],
    ] as const;
    for (const [changedBody, changedHeaders] of tampered) {
      expect(() => verifier.verify(changedBody, changedHeaders)).toThrow(/signature/i);
    }
    expect(() => new Webhook(makeSecret()).verify(body, headers)).toThrow(/signature/i);
  });

  it("retries a receiver that is down, then failing, until it answers: same webhook-id", async () => {
    const clock = realClock();
    const hooks = await receiver();
    await hooks.down();
    const auth = makeAuth({
      clock,
      outbox: { backoffSeconds: 10, maxBackoffSeconds: 40 },
      webhooks: [endpoint(hooks)],
    });
    await registered(auth, "ada@example.com");
    // The first attempt met a refused connection: queued for 10 s from now.
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });

    await hooks.up();
    hooks.answerNext({ status: 500 }, { status: 503 });
    clock.advance(19);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.advance(1);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });
    const attempts: number[] = [clock.now() / 1000];
    clock.advance(40);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });
    attempts.push(clock.now() / 1000);
    clock.advance(40);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 1, retried: 0, dead: 0 });
    attempts.push(clock.now() / 1000);

    expect(hooks.received.map((each) => each.status)).toEqual([500, 503, 204]);
    expect(hooks.received.every((each) => each.verified)).toBe(true);
    const ids = new Set(hooks.received.map((each) => each.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    // The same bytes every time, signed afresh with each attempt's own timestamp.
    expect(new Set(hooks.received.map((each) => each.body)).size).toBe(1);
    expect(hooks.received.map((each) => Number(each.headers["webhook-timestamp"]))).toEqual(
      attempts,
    );
    expect(new Set(hooks.received.map((each) => each.headers["webhook-signature"])).size).toBe(3);
    expect(await deliveries(auth, "failed")).toBe(4);
    expect(await deliveries(auth, "sent")).toBe(1);
    expect(await auth.api.deadLetters()).toEqual([]);
  });

  it("dead-letters after outbox.maxAttempts: counted dead, a warning logged, no mail event", async () => {
    const clock = realClock();
    const hooks = await receiver();
    hooks.answerNext({ status: 500 }, { status: 500 }, { status: 500 });
    const logger = captureLogger();
    const auth = makeAuth({
      clock,
      logger,
      outbox: { maxAttempts: 3, backoffSeconds: 10, maxBackoffSeconds: 10 },
      webhooks: [endpoint(hooks)],
    });
    const mailEvents: unknown[] = [];
    auth.on("mail.dead_lettered", (event) => void mailEvents.push(event));
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 1 });
    clock.advance(3600);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(hooks.received).toHaveLength(3);

    const [dead, ...rest] = await auth.api.deadLetters();
    expect(rest).toEqual([]);
    const webhookId = hooks.received[0]?.headers["webhook-id"];
    expect(dead).toMatchObject({
      kind: "webhook",
      message: null,
      webhook: { url: hooks.url, id: webhookId, eventType: "user.registered" },
      attempts: 3,
      lastError: "answered 500",
    });
    expect(dead?.webhook?.body).toBe(hooks.received[0]?.body);
    expect(await deliveries(auth, "dead")).toBe(1);
    expect(await deliveries(auth, "failed")).toBe(3);
    expect(mailEvents).toEqual([]);

    const warnings = logger.records.warn.map((args) => JSON.stringify(args));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`webhook ${webhookId}`);
    expect(warnings[0]).toContain("dead-lettered after 3 attempts: answered 500");
    expect(warnings[0]).not.toContain(hooks.secret.slice("whsec_".length));
  });

  it("dead-letters a queued delivery whose endpoint is no longer configured, saying why", async () => {
    const clock = realClock();
    const storage = memoryStorage();
    const hooks = await receiver();
    await hooks.down();
    const before = makeAuth({ clock, storage, webhooks: [endpoint(hooks)] });
    await registered(before, "ada@example.com");
    await before.api.flushOutbox();

    const logger = captureLogger();
    const after = makeAuth({ clock, storage, logger, webhooks: [] });
    await hooks.up();
    clock.advance(30);
    expect(await after.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 1 });
    const [dead] = await after.api.deadLetters();
    expect(dead?.kind).toBe("webhook");
    expect(dead?.lastError).toBe(
      `webhook endpoint ${new URL(hooks.url).origin} is no longer configured (webhooks option): not delivered`,
    );
    expect(hooks.received).toEqual([]);
    expect(await deliveries(after, "dead")).toBe(1);
    expect(logger.records.warn).toHaveLength(1);
  });

  it("signs with the secret configured now: a restart with a rotated secret delivers the queue", async () => {
    const clock = realClock();
    const storage = memoryStorage();
    const stored: OutboxRecord[] = [];
    const enqueue = storage.outbox.enqueue.bind(storage.outbox);
    storage.outbox.enqueue = async (record) => {
      stored.push(record);
      await enqueue(record);
    };
    const oldSecret = makeSecret();
    const hooks = await receiver(); // already verifies with the new secret
    const before = makeAuth({
      clock,
      storage,
      webhooks: [{ url: hooks.url, secret: oldSecret, events: ["user.registered"] }],
    });
    await registered(before, "ada@example.com");
    await before.api.flushOutbox();
    expect(hooks.received.map((each) => each.verified)).toEqual([false]);

    // At rest: sealed, no secret, no address, not even the event type.
    expect(stored).toHaveLength(1);
    for (const text of [oldSecret, oldSecret.slice(6), "ada@example.com", "user.registered"]) {
      expect(stored[0]?.payload).not.toContain(text);
    }

    const after = makeAuth({ clock, storage, webhooks: [endpoint(hooks)] });
    clock.advance(30);
    expect(await after.api.flushOutbox()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(hooks.received.map((each) => each.verified)).toEqual([false, true]);
    expect(hooks.received[1]?.headers["webhook-id"]).toBe(hooks.received[0]?.headers["webhook-id"]);
  });

  it("counts a receiver that does not answer within timeoutSeconds as a failed attempt", async () => {
    const clock = realClock();
    const hooks = await receiver();
    hooks.answerNext({ delayMs: 5_000 });
    const auth = makeAuth({
      clock,
      outbox: { maxAttempts: 1 },
      webhooks: [{ ...endpoint(hooks), timeoutSeconds: 1 }],
    });
    const started = Date.now();
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);
    expect(hooks.received).toHaveLength(1);
    const [dead] = await auth.api.deadLetters();
    expect(dead).toMatchObject({ kind: "webhook", lastError: "no answer within 1 s" });
    expect(await deliveries(auth, "failed")).toBe(1);
    expect(await deliveries(auth, "dead")).toBe(1);
  });

  it("does not follow redirects: a 3xx is a failed attempt and the other host sees nothing", async () => {
    const clock = realClock();
    const hooks = await receiver();
    // Elsewhere verifies with the same secret: were the redirect followed, it would accept.
    const elsewhere = await receiver(hooks.secret);
    hooks.answerNext(
      { status: 307, location: elsewhere.url },
      { status: 302, location: elsewhere.url },
    );
    const auth = makeAuth({
      clock,
      outbox: { maxAttempts: 2, backoffSeconds: 10 },
      webhooks: [endpoint(hooks)],
    });
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 1 });
    expect(hooks.received.map((each) => each.status)).toEqual([307, 302]);
    expect(elsewhere.received).toEqual([]);
    const [dead] = await auth.api.deadLetters();
    expect(dead?.lastError).toBe(
      "answered 302: redirects are not followed, configure the final URL",
    );
  });

  it("carries mail and webhooks in one queue: one flush retries both", async () => {
    const clock = realClock();
    const hooks = await receiver();
    hooks.answerNext({ status: 503 });
    const mailer = captureMailer();
    mailer.failNext(1);
    const auth = makeAuth({
      clock,
      mailer,
      emailVerification: { sendOnRegister: true },
      outbox: { backoffSeconds: 10 },
      webhooks: [endpoint(hooks)],
    });
    await registered(auth, "ada@example.com");
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 2, retried: 0, dead: 0 });
    expect(mailer.sent.map((message) => message.type)).toEqual(["email-verification"]);
    expect(hooks.received.map((each) => [each.status, each.verified])).toEqual([
      [503, true],
      [204, true],
    ]);
    const metrics = await auth.metrics();
    expect(sample(metrics, 'portcullis_mail_total{outcome="sent"}')).toBe(1);
    expect(sample(metrics, 'portcullis_mail_total{outcome="failed"}')).toBe(1);
    expect(sample(metrics, 'portcullis_webhook_deliveries_total{outcome="sent"}')).toBe(1);
    expect(sample(metrics, 'portcullis_webhook_deliveries_total{outcome="failed"}')).toBe(1);
  });

  it("shows the webhook outcomes at 0 once webhooks are configured, and not before", async () => {
    const hooks = await receiver();
    const withWebhooks = await makeAuth({ webhooks: [endpoint(hooks)] }).metrics();
    for (const outcome of ["sent", "failed", "dead"]) {
      const series = `portcullis_webhook_deliveries_total{outcome="${outcome}"}`;
      expect(sample(withWebhooks, series)).toBe(0);
    }
    const without = await makeAuth().metrics();
    expect(without).not.toMatch(/^portcullis_webhook_deliveries_total/m);
  });
});

describe("outbox records from before webhooks", () => {
  it("delivers a mail message queued untagged, and sets aside a kind it does not know", async () => {
    const clock = realClock();
    const storage = memoryStorage();
    const mailer = captureMailer();
    const auth = makeAuth({ clock, storage, mailer });
    const cipher = payloadCipher(auth.resolved.secret, webCryptoRandom);
    const legacy: MailMessage = {
      type: "magic-link",
      to: "ada@example.com",
      subject: "Sign in",
      text: "https://app.example.com/auth/magic-link/verify?token=t",
      html: "<p>Sign in</p>",
      url: "https://app.example.com/auth/magic-link/verify?token=t",
    };
    const record = async (id: string, plaintext: string): Promise<OutboxRecord> => ({
      id,
      payload: await cipher.seal(plaintext),
      attempts: 0,
      availableAt: new Date(clock.now() - 1000),
      lastError: null,
      createdAt: new Date(clock.now() - 60_000),
      deadAt: null,
    });
    // The payload as every earlier version wrote it: the bare MailMessage.
    await storage.outbox.enqueue(await record("legacy", JSON.stringify(legacy)));
    await storage.outbox.enqueue(
      await record("later", JSON.stringify({ kind: "sms", to: "+15550100" })),
    );
    expect(await auth.api.flushOutbox()).toEqual({ sent: 1, retried: 0, dead: 1 });
    expect(mailer.sent).toEqual([legacy]);
    const [dead] = await auth.api.deadLetters();
    expect(dead).toMatchObject({
      id: "later",
      kind: null,
      message: null,
      webhook: null,
      lastError: "payload is not a delivery this version can read",
    });
  });
});
