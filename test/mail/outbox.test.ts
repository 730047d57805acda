import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStorage, type OutboxRecord } from "../../src/index.js";
import { call, makeAuth, manualClock, registered, sessionCookieFrom } from "../helpers.js";
import { captureMailer, linkIn, pathOf, type SmtpFixture, startSmtpServer } from "./fixtures.js";

let smtp: SmtpFixture | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

describe("outbox", () => {
  it("keeps a refused message and delivers it through SMTP once the server takes it", async () => {
    smtp = await startSmtpServer();
    const clock = manualClock();
    const auth = makeAuth({ mailer: smtp.mailer, clock, outbox: { backoffSeconds: 30 } });
    smtp.refuseNext(2);
    const request = await call(auth, "POST", "/auth/magic-link", {
      body: { email: "ada@example.com" },
    });
    expect(request.status).toBe(202);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(smtp.received).toHaveLength(0);
    clock.advance(30);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });
    clock.advance(59);
    expect((await auth.api.flushOutbox()).sent).toBe(0);
    clock.advance(1);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(smtp.received).toHaveLength(1);
    const verify = await call(auth, "GET", pathOf(linkIn(smtp.received[0]?.text)));
    expect(verify.status).toBe(302);
    expect(sessionCookieFrom(verify.response)).toBeTruthy();
  });

  it("loses nothing across a restart: a new instance over the same storage delivers the queue", async () => {
    smtp = await startSmtpServer();
    const storage = memoryStorage();
    const clock = manualClock();
    const down = captureMailer();
    down.failNext(Number.POSITIVE_INFINITY);
    const before = makeAuth({ storage, clock, mailer: down });
    await registered(before, "ada@example.com");
    await call(before, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } });
    await call(before, "POST", "/auth/magic-link", { body: { email: "bob@example.com" } });
    await before.api.flushOutbox();
    expect(down.sent).toHaveLength(0);

    const after = makeAuth({ storage, clock, mailer: smtp.mailer });
    clock.advance(60);
    expect((await after.api.flushOutbox()).sent).toBe(2);
    const subjects = smtp.received.map((mail) => mail.subject).sort();
    expect(subjects).toEqual(["Reset your localhost:3000 password", "Sign in to localhost:3000"]);
    const magic = smtp.received.find((mail) => mail.subject?.startsWith("Sign in"));
    const verify = await call(after, "GET", pathOf(linkIn(magic?.text)));
    expect(verify.status).toBe(302);
    expect(verify.headers.get("set-cookie")).toBeTruthy();
  });

  it("dead-letters a message after maxAttempts, and keeps it readable for inspection", async () => {
    const clock = manualClock();
    const mailer = captureMailer();
    mailer.failNext(Number.POSITIVE_INFINITY);
    const auth = makeAuth({
      clock,
      mailer,
      outbox: { maxAttempts: 3, backoffSeconds: 10, maxBackoffSeconds: 15 },
    });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    clock.advance(10);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 1, dead: 0 });
    clock.advance(15);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 1 });
    clock.advance(3600);
    expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 0 });
    const [dead, ...rest] = await auth.api.deadLetters();
    expect(rest).toHaveLength(0);
    expect(dead).toMatchObject({ attempts: 3, lastError: "451 mail server unavailable" });
    expect(dead?.message).toMatchObject({ type: "magic-link", to: "ada@example.com" });
  });

  it("stores messages encrypted: no link, token or address at rest", async () => {
    const storage = memoryStorage();
    const stored: OutboxRecord[] = [];
    const enqueue = storage.outbox.enqueue.bind(storage.outbox);
    storage.outbox.enqueue = async (record) => {
      stored.push(record);
      await enqueue(record);
    };
    const mailer = captureMailer();
    const auth = makeAuth({ storage, mailer });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    const token = new URL(mailer.sent[0]?.url as string).searchParams.get("token") as string;
    expect(stored).toHaveLength(1);
    expect(stored[0]?.payload).not.toContain(token);
    expect(stored[0]?.payload).not.toContain("ada@example.com");
    expect(stored[0]?.payload).not.toContain("magic-link");

    // Read back under another secret, it is unreadable and set aside, never sent garbled.
    storage.outbox.enqueue = enqueue;
    const copy = {
      ...(stored[0] as OutboxRecord),
      id: "copy",
      attempts: 0,
      availableAt: new Date(0),
    };
    await storage.outbox.enqueue(copy);
    const other = makeAuth({
      storage,
      mailer,
      secret: "another-secret-that-is-at-least-32-bytes",
    });
    expect((await other.api.flushOutbox()).dead).toBe(1);
    expect((await other.api.deadLetters())[0]).toMatchObject({ id: "copy", message: null });
    expect(mailer.sent).toHaveLength(1);
  });

  it("two instances flushing one queue at once send each message once", async () => {
    const storage = memoryStorage();
    const clock = manualClock();
    const down = captureMailer();
    down.failNext(Number.POSITIVE_INFINITY);
    const writer = makeAuth({ storage, clock, mailer: down });
    for (let i = 0; i < 5; i++) {
      await call(writer, "POST", "/auth/magic-link", { body: { email: `u${i}@example.com` } });
    }
    await writer.api.flushOutbox();
    clock.advance(60);
    const mailers = [captureMailer(), captureMailer(), captureMailer()];
    const instances = mailers.map((mailer) => makeAuth({ storage, clock, mailer }));
    await Promise.all(instances.map((instance) => instance.api.flushOutbox()));
    const delivered = mailers.flatMap((mailer) => mailer.sent.map((m) => m.to)).sort();
    expect(delivered).toEqual([0, 1, 2, 3, 4].map((i) => `u${i}@example.com`));
  });

  it("startOutbox retries in the background until stopped", async () => {
    const clock = manualClock();
    const mailer = captureMailer();
    mailer.failNext(1);
    const auth = makeAuth({ clock, mailer, outbox: { backoffSeconds: 1 } });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    clock.advance(1);
    const stop = auth.api.startOutbox({ intervalMs: 5 });
    await vi.waitFor(() => expect(mailer.sent).toHaveLength(1), { timeout: 2000, interval: 5 });
    stop();
    mailer.failNext(1);
    await call(auth, "POST", "/auth/magic-link", { body: { email: "bob@example.com" } });
    await auth.api.flushOutbox();
    clock.advance(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(mailer.sent).toHaveLength(1);
  });
});

it("does not deliver a link after it has expired", async () => {
  const clock = manualClock();
  const mailer = captureMailer();
  mailer.failNext(1);
  const auth = makeAuth({ clock, mailer, outbox: { backoffSeconds: 3600 } });
  await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
  await auth.api.flushOutbox();
  clock.advance(3600);
  expect(await auth.api.flushOutbox()).toEqual({ sent: 0, retried: 0, dead: 1 });
  expect(mailer.sent).toHaveLength(0);
  expect((await auth.api.deadLetters())[0]?.lastError).toMatch(/expired/);
});
