import { describe, expect, it } from "vitest";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

function setup(emailVerification: Record<string, unknown> = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({
    mailer,
    clock,
    emailVerification: { sendOnRegister: true, redirectTo: "/welcome", ...emailVerification },
  });
  const lastLink = () => new URL(mailer.sent.at(-1)?.url as string);
  const pathOf = (url: URL) => `${url.pathname}${url.search}`;
  return { auth, mailer, clock, lastLink, pathOf };
}

describe("email verification", () => {
  it("mails a link on registration that verifies the address and lands on the configured page", async () => {
    const { auth, mailer, lastLink, pathOf } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    expect(mailer.sent.map((m) => [m.type, m.to])).toEqual([
      ["email-verification", "ada@example.com"],
    ]);
    // Opened in the browser that signed up: the registrant keeps the session (see test/security
    // for a link opened anywhere else).
    const verify = await call(auth, "GET", pathOf(lastLink()), { cookie });
    expect(verify.status).toBe(302);
    expect(verify.headers.get("location")).toBe("http://localhost:3000/welcome");
    const session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.json?.user.emailVerified).toBe(true);
    const reused = await call(auth, "GET", pathOf(lastLink()));
    expect(reused.headers.get("location")).toBe(
      "http://localhost:3000/welcome?error=token_invalid",
    );
  });

  it("answers JSON to clients that ask for it", async () => {
    const { auth, lastLink, pathOf } = setup();
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    const verify = await call(auth, "GET", pathOf(lastLink()), {
      headers: { accept: "application/json" },
    });
    expect(verify.status).toBe(200);
    expect(verify.json?.user).toMatchObject({ email: "ada@example.com", emailVerified: true });
  });

  it("sends nothing on registration unless sendOnRegister", async () => {
    const { auth, mailer } = setup({ sendOnRegister: false });
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    expect(mailer.sent).toHaveLength(0);
  });

  it("resends to a signed-in unverified user, and to nobody else", async () => {
    const { auth, mailer, lastLink, pathOf } = setup({ sendOnRegister: false });
    const { cookie } = await registered(auth, "ada@example.com");
    expect((await call(auth, "POST", "/auth/email/verify/request")).status).toBe(401);
    const resend = await call(auth, "POST", "/auth/email/verify/request", { cookie });
    expect(resend.status).toBe(202);
    await auth.api.flushOutbox();
    expect(mailer.sent).toHaveLength(1);
    await call(auth, "GET", pathOf(lastLink()));
    await call(auth, "POST", "/auth/email/verify/request", { cookie });
    await auth.api.flushOutbox();
    expect(mailer.sent).toHaveLength(1);
  });

  it("expires after the configured ttl", async () => {
    const { auth, clock, lastLink, pathOf } = setup({ ttl: 3600 });
    await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    clock.advance(3601);
    const late = await call(auth, "GET", pathOf(lastLink()), {
      headers: { accept: "application/json" },
    });
    expect(late.json?.error.code).toBe("token_invalid");
  });

  it("with required, password sign-in of an unverified account answers email_not_verified, only to the right password", async () => {
    const { auth, lastLink, pathOf } = setup({ required: true });
    const signUp = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    // Registering must not be a way around the requirement: no session until verified.
    expect(signUp.status).toBe(201);
    expect(signUp.json?.emailVerificationRequired).toBe(true);
    // No session cookie: only the registration binding, which signs nobody in.
    const binding = (signUp.headers.get("set-cookie") as string).split(";")[0] as string;
    expect(binding).toMatch(/^portcullis\.session\.registration=/);
    expect((await call(auth, "GET", "/auth/session", { cookie: binding })).status).toBe(401);
    await auth.api.flushOutbox();
    const wrong = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "not the password" },
    });
    expect(wrong.json?.error.code).toBe("invalid_credentials");
    const right = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(right.status).toBe(403);
    expect(right.json?.error.code).toBe("email_not_verified");
    expect(right.headers.get("set-cookie")).toBeNull();
    await call(auth, "GET", pathOf(lastLink()), { cookie: binding });
    const after = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(after.status).toBe(200);
  });

  it("refuses a verification link for an address the account no longer has", async () => {
    const { auth, lastLink, pathOf } = setup();
    const { user } = await registered(auth, "ada@example.com");
    await auth.api.flushOutbox();
    await auth.storage.users.update(user.id, {
      email: "other@example.com",
      updatedAt: new Date(),
    });
    const verify = await call(auth, "GET", pathOf(lastLink()), {
      headers: { accept: "application/json" },
    });
    expect(verify.json?.error.code).toBe("token_invalid");
    expect((await auth.storage.users.findById(user.id))?.emailVerified).toBe(false);
  });
});
