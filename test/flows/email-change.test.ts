import { describe, expect, it } from "vitest";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

function setup() {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({ mailer, clock, session: { freshAge: 300 } });
  const change = (cookie: string, body: Record<string, unknown>) =>
    call(auth, "POST", "/auth/email/change", { cookie, body });
  const pathOf = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  };
  return { auth, mailer, clock, change, pathOf };
}

describe("change of email", () => {
  it("mails a link to the new address that moves the account, and a notice to the old one", async () => {
    const { auth, mailer, clock, change, pathOf } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    clock.advance(3600);
    const requested = await change(cookie, {
      newEmail: "Ada@New.example",
      currentPassword: PASSWORD,
    });
    expect(requested.status).toBe(202);
    await auth.api.flushOutbox();
    const confirm = mailer.sent.find((m) => m.type === "email-change");
    expect([confirm?.type, confirm?.to]).toEqual(["email-change", "ada@new.example"]);
    const warning = mailer.sent.find((m) => m.type === "email-change-requested");
    expect([warning?.to, new URL(warning?.url as string).pathname]).toEqual([
      "ada@example.com",
      "/auth/email/change/cancel",
    ]);
    // Nothing moves before the link is followed.
    const before = await call(auth, "GET", "/auth/session", { cookie });
    expect(before.json?.user.email).toBe("ada@example.com");

    const verify = await call(auth, "GET", pathOf(confirm?.url as string));
    expect(verify.status).toBe(302);
    await auth.api.flushOutbox();
    const notice = mailer.sent.at(-1);
    expect([notice?.type, notice?.to]).toEqual(["email-change-notice", "ada@example.com"]);
    expect(notice?.text).toContain("ada@new.example");
    const after = await call(auth, "GET", "/auth/session", { cookie });
    expect(after.json?.user).toMatchObject({ email: "ada@new.example", emailVerified: true });
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@new.example", password: PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it("needs the current password once the session is older than freshAge", async () => {
    const { auth, mailer, clock, change } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    expect((await change(cookie, { newEmail: "fresh@example.com" })).status).toBe(202);
    clock.advance(301);
    const stale = await change(cookie, { newEmail: "stale@example.com" });
    expect(stale.status).toBe(403);
    expect(stale.json?.error.code).toBe("reauthentication_required");
    const wrong = await change(cookie, {
      newEmail: "stale@example.com",
      currentPassword: "not the password",
    });
    expect(wrong.json?.error.code).toBe("invalid_credentials");
    await auth.api.flushOutbox();
    const confirmations = mailer.sent.filter((m) => m.type === "email-change");
    expect(confirmations.map((m) => m.to)).toEqual(["fresh@example.com"]);
  });

  it("answers alike for an address taken by another account, and mails nothing", async () => {
    const { auth, mailer, change } = setup();
    await registered(auth, "bob@example.com");
    const { cookie } = await registered(auth, "ada@example.com");
    const taken = await change(cookie, { newEmail: "bob@example.com" });
    const free = await change(cookie, { newEmail: "free@example.com" });
    expect([taken.status, free.status]).toEqual([202, 202]);
    await auth.api.flushOutbox();
    const confirmations = mailer.sent.filter((m) => m.type === "email-change");
    expect(confirmations.map((m) => m.to)).toEqual(["free@example.com"]);
    // The owner's own address is warned of both requests alike.
    const warnings = mailer.sent.filter((m) => m.type === "email-change-requested");
    expect(warnings.map((m) => m.to)).toEqual(["ada@example.com", "ada@example.com"]);
  });

  it("voids links mailed to the old address", async () => {
    const { auth, mailer, change, pathOf } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    await call(auth, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await change(cookie, { newEmail: "ada@new.example" });
    await auth.api.flushOutbox();
    const byType = (type: string) => mailer.sent.find((m) => m.type === type);
    const [reset, magic, confirm] = [
      byType("password-reset"),
      byType("magic-link"),
      byType("email-change"),
    ];
    await call(auth, "GET", pathOf(confirm?.url as string));
    const resetToken = new URL(reset?.url as string).searchParams.get("token");
    const resetAttempt = await call(auth, "POST", "/auth/password/reset", {
      body: { token: resetToken, password: "hijacked passphrase" },
    });
    expect(resetAttempt.json?.error.code).toBe("token_invalid");
    const magicAttempt = await call(auth, "GET", pathOf(magic?.url as string), {
      headers: { accept: "application/json" },
    });
    expect(magicAttempt.status).toBe(401);
  });

  it("a confirmation link works once, and not as another kind of token", async () => {
    const { auth, mailer, change, pathOf } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    await change(cookie, { newEmail: "ada@new.example" });
    await auth.api.flushOutbox();
    const url = mailer.sent.find((m) => m.type === "email-change")?.url as string;
    const token = new URL(url).searchParams.get("token");
    const asVerify = await call(auth, "GET", `/auth/email/verify?token=${token}`, {
      headers: { accept: "application/json" },
    });
    expect(asVerify.status).toBe(401);
    const results = await Promise.all([
      call(auth, "GET", pathOf(url), { headers: { accept: "application/json" } }),
      call(auth, "GET", pathOf(url), { headers: { accept: "application/json" } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});
