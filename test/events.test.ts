import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTH_EVENT_TYPES, type AuthEvent } from "../src/index.js";
import {
  call,
  makeAuth,
  manualClock,
  PASSWORD,
  registered,
  sessionCookieFrom,
  sessionTokenFrom,
} from "./helpers.js";
import { captureMailer } from "./mail/fixtures.js";

/*
 * The events spine (DESIGN §6): every security change emits one typed event after it is stored,
 * with the request's IP and user agent, and never a secret.
 */

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const events: AuthEvent[] = [];
  const auth = makeAuth({
    mailer,
    clock,
    on: { "*": (event) => void events.push(event) },
    ...overrides,
  });
  const types = () => events.map((event) => event.type);
  const ofType = <T extends AuthEvent["type"]>(type: T) =>
    events.filter((event): event is Extract<AuthEvent, { type: T }> => event.type === type);
  return { auth, mailer, clock, events, types, ofType };
}

const FROM = { clientIP: "203.0.113.9", headers: { "user-agent": "Tester/1.0" } };

describe("events", () => {
  afterEach(() => vi.restoreAllMocks());

  it("sign-up, sign-in, a failed sign-in and sign-out, each with who, when and from where", async () => {
    const { auth, events, ofType, clock } = setup();
    const signUp = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
      ...FROM,
    });
    const userId = signUp.json?.user.id;
    clock.advance(5);
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "not the password!" },
      ...FROM,
    });
    await call(auth, "POST", "/auth/login", {
      body: { email: "nobody@example.com", password: PASSWORD },
      ...FROM,
    });
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
      ...FROM,
    });
    await call(auth, "POST", "/auth/logout", { cookie: sessionCookieFrom(login.response) });

    expect(events.map((e) => e.type)).toEqual([
      "user.registered",
      "user.signed_in",
      "user.sign_in_failed",
      "user.sign_in_failed",
      "user.signed_in",
      "user.signed_out",
    ]);
    expect(ofType("user.registered")[0]).toMatchObject({
      userId,
      method: "password",
      email: "ada@example.com",
      ip: "203.0.113.9",
      userAgent: "Tester/1.0",
      at: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    });
    // The reason is recorded (the caller only ever hears invalid_credentials).
    const [wrong, unknown] = ofType("user.sign_in_failed");
    expect(wrong).toMatchObject({ userId, reason: "wrong_password", method: "password" });
    expect(unknown?.reason).toBe("unknown_account");
    expect(unknown).not.toHaveProperty("userId");
    const signedIn = ofType("user.signed_in")[1];
    expect(ofType("user.signed_out")[0]).toMatchObject({ userId, sessionId: signedIn?.sessionId });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("a lockout, a password change, a reset and revocations carry their reasons", async () => {
    const { auth, ofType, mailer } = setup({
      rateLimit: { loginFailures: { freeAttempts: 2 } },
    });
    const { cookie, user } = await registered(auth, "ada@example.com");
    for (let i = 0; i < 2; i++) {
      await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: `wrong password ${i}` },
      });
    }
    expect(ofType("user.locked_out")[0]).toMatchObject({
      userId: user.id,
      consecutiveFailures: 2,
    });
    expect(
      (
        await call(auth, "POST", "/auth/login", {
          body: { email: "ada@example.com", password: PASSWORD },
        })
      ).status,
    ).toBe(429);
    expect(ofType("user.sign_in_failed").at(-1)?.reason).toBe("locked");

    await call(auth, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    const token = new URL(mailer.sent.at(-1)?.url as string).searchParams.get("token");
    await call(auth, "POST", "/auth/password/reset", {
      body: { token, password: "a brand new passphrase" },
    });
    expect(ofType("password.reset_requested")[0]?.userId).toBe(user.id);
    expect(ofType("password.reset")[0]?.userId).toBe(user.id);
    // The reset was the first proof of the address: it evicted the session, then ended the rest.
    expect(ofType("email.verified")[0]).toMatchObject({
      userId: user.id,
      evictedCredentials: true,
    });
    expect(ofType("session.revoked").map((e) => e.reason)).toContain("address_proven");
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);

    const again = sessionCookieFrom(
      (
        await call(auth, "POST", "/auth/login", {
          body: { email: "ada@example.com", password: "a brand new passphrase" },
        })
      ).response,
    );
    await registeredOther(auth);
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "a brand new passphrase" },
    });
    await call(auth, "POST", "/auth/password/change", {
      cookie: again,
      body: { currentPassword: "a brand new passphrase", newPassword: "yet another passphrase" },
    });
    expect(ofType("password.changed")[0]?.userId).toBe(user.id);
    expect(ofType("session.revoked").at(-1)).toMatchObject({
      reason: "password_changed",
      sessionIds: [expect.any(String)],
    });
  });

  it("unknown addresses asking for a reset are seen too, without a userId", async () => {
    const { auth, ofType } = setup();
    await call(auth, "POST", "/auth/password/forgot", { body: { email: "ghost@example.com" } });
    expect(ofType("password.reset_requested")).toHaveLength(1);
    expect(ofType("password.reset_requested")[0]).not.toHaveProperty("userId");
  });

  it("a reused refresh token, a magic-link sign-up and an email change", async () => {
    const { auth, ofType, mailer, clock } = setup();
    await registered(auth, "ada@example.com");
    const grant = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "password", username: "ada@example.com", password: PASSWORD },
    });
    expect(ofType("user.signed_in").at(-1)?.method).toBe("token");
    const first = grant.json?.refresh_token as string;
    await call(auth, "POST", "/auth/token", {
      body: { grant_type: "refresh_token", refresh_token: first },
    });
    clock.advance(3600); // past the reuse grace: presenting the replaced token again is a reuse
    await call(auth, "POST", "/auth/token", {
      body: { grant_type: "refresh_token", refresh_token: first },
    });
    expect(ofType("refresh_token.reuse_detected")).toHaveLength(1);

    await call(auth, "POST", "/auth/magic-link", { body: { email: "new@example.com" } });
    await auth.api.flushOutbox();
    const link = new URL(mailer.sent.at(-1)?.url as string);
    await call(auth, "GET", `${link.pathname}${link.search}`);
    expect(ofType("user.registered").at(-1)).toMatchObject({ method: "magic_link" });
    expect(ofType("user.signed_in").at(-1)).toMatchObject({ method: "magic_link" });

    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    await call(auth, "POST", "/auth/email/change", {
      cookie: sessionCookieFrom(login.response),
      body: { newEmail: "ada@new.example" },
    });
    await auth.api.flushOutbox();
    const confirm = new URL(mailer.sent.find((m) => m.type === "email-change")?.url as string);
    await call(auth, "GET", `${confirm.pathname}${confirm.search}`);
    expect(ofType("email.change_requested")[0]).toMatchObject({
      from: "ada@example.com",
      to: "ada@new.example",
    });
    expect(ofType("email.changed")[0]).toMatchObject({
      from: "ada@example.com",
      to: "ada@new.example",
    });
  });

  it("a listener that throws is logged and never fails the request; auth.on unsubscribes", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const auth = makeAuth({
      on: {
        "user.signed_in": () => {
          throw new Error("listener bug");
        },
      },
    });
    const seen: string[] = [];
    const off = auth.on("user.signed_in", (event) => void seen.push(event.method));
    expect((await registered(auth, "ada@example.com")).status).toBe(201);
    expect(logged.mock.calls.some((args) => String(args[0]).includes("user.signed_in"))).toBe(true);
    off();
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(seen).toEqual(["password"]);
  });

  it("never carries a secret: no password, token or link in any event", async () => {
    const { auth, events, mailer } = setup({ emailVerification: { sendOnRegister: true } });
    const signUp = await registered(auth, "ada@example.com");
    const grant = await call(auth, "POST", "/auth/token", {
      body: { grant_type: "password", username: "ada@example.com", password: PASSWORD },
    });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    const serialized = JSON.stringify(events);
    const secrets = [
      PASSWORD,
      sessionTokenFrom(signUp.response),
      grant.json?.access_token,
      grant.json?.refresh_token,
      ...mailer.sent.map((m) => new URL(m.url as string).searchParams.get("token")),
    ];
    for (const secret of secrets) expect(serialized).not.toContain(secret);
  });

  it("a mail the outbox gives up on is an event", async () => {
    const { ofType, auth } = setup({
      mailer: {
        async send() {
          throw new Error("smtp down");
        },
      },
      outbox: { maxAttempts: 1 },
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    expect(ofType("mail.dead_lettered")[0]).toMatchObject({
      mailType: "magic-link",
      attempts: 1,
      error: "smtp down",
    });
  });

  it("the on option refuses unknown event types, naming the option", () => {
    expect(() => makeAuth({ on: { "user.sined_in": () => {} } as never })).toThrow(/on must map/);
    expect(AUTH_EVENT_TYPES).toContain("user.signed_in");
  });
});

async function registeredOther(auth: ReturnType<typeof makeAuth>) {
  await registered(auth, "other@example.com");
}
