import { describe, expect, it } from "vitest";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

const NEW_PASSWORD = "a brand new passphrase";

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({ mailer, clock, ...overrides });
  async function forgot(email: string) {
    const before = mailer.sent.length;
    const response = await call(auth, "POST", "/auth/password/forgot", { body: { email } });
    await auth.api.flushOutbox();
    const mail = mailer.sent[before];
    const token = mail?.url ? (new URL(mail.url).searchParams.get("token") as string) : null;
    return { response, mail, token };
  }
  const reset = (token: string | null, password = NEW_PASSWORD) =>
    call(auth, "POST", "/auth/password/reset", { body: { token, password } });
  const login = (email: string, password: string) =>
    call(auth, "POST", "/auth/login", { body: { email, password } });
  return { auth, mailer, clock, forgot, reset, login };
}

describe("POST /auth/password/forgot", () => {
  it("answers 202 with the same body for an existing and an unknown address, mailing only the first", async () => {
    const { auth, mailer, forgot } = setup();
    await registered(auth, "ada@example.com");
    const known = await forgot("ada@example.com");
    const unknown = await forgot("ghost@example.com");
    expect([known.response.status, unknown.response.status]).toEqual([202, 202]);
    expect(await known.response.response.text()).toBe(await unknown.response.response.text());
    expect(mailer.sent.map((m) => [m.type, m.to])).toEqual([["password-reset", "ada@example.com"]]);
  });

  it("links to the app's reset page", async () => {
    const { auth, forgot } = setup({ passwordReset: { url: "/account/reset" } });
    await registered(auth, "ada@example.com");
    const { mail } = await forgot("ada@example.com");
    const url = new URL(mail?.url as string);
    expect(`${url.origin}${url.pathname}`).toBe("http://localhost:3000/account/reset");
    expect(url.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("rate-limits per address alike for existing and unknown addresses", async () => {
    const { auth, forgot } = setup({ mailRateLimit: { max: 1, window: 3600 } });
    await registered(auth, "ada@example.com");
    for (const email of ["ada@example.com", "ghost@example.com"]) {
      expect((await forgot(email)).response.status).toBe(202);
      const second = await forgot(email);
      expect(second.response.status).toBe(429);
      expect(second.response.json?.error.code).toBe("rate_limited");
    }
  });
});

describe("POST /auth/password/reset", () => {
  it("sets the password, revokes every session, and works once", async () => {
    const { auth, forgot, reset, login } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    const { token } = await forgot("ada@example.com");
    const done = await reset(token);
    expect(done.status).toBe(204);
    expect(done.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(401);
    expect((await login("ada@example.com", NEW_PASSWORD)).status).toBe(200);
    const again = await reset(token, "yet another passphrase");
    expect(again.status).toBe(401);
    expect(again.json?.error.code).toBe("token_invalid");
  });

  it("of concurrent resets with one token, exactly one succeeds", async () => {
    const { auth, forgot, reset, login } = setup();
    await registered(auth, "ada@example.com");
    const { token } = await forgot("ada@example.com");
    const passwords = Array.from({ length: 6 }, (_, i) => `concurrent passphrase ${i}`);
    const results = await Promise.all(passwords.map((password) => reset(token, password)));
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    const winner = passwords[results.findIndex((r) => r.status === 204)] as string;
    expect((await login("ada@example.com", winner)).status).toBe(200);
  });

  it("expires after one hour", async () => {
    const { auth, clock, forgot, reset } = setup();
    await registered(auth, "ada@example.com");
    const { token } = await forgot("ada@example.com");
    clock.advance(3600 + 1);
    expect((await reset(token)).json?.error.code).toBe("token_invalid");
  });

  it("is void after any password change", async () => {
    const { auth, forgot, reset } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    const { token } = await forgot("ada@example.com");
    await call(auth, "POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: PASSWORD, newPassword: "changed in the meantime" },
    });
    expect((await reset(token)).json?.error.code).toBe("token_invalid");
  });

  it("a rejected new password does not use up the token", async () => {
    const { auth, forgot, reset } = setup();
    await registered(auth, "ada@example.com");
    const { token } = await forgot("ada@example.com");
    const weak = await reset(token, "password");
    expect(weak.status).toBe(400);
    expect((await reset(token)).status).toBe(204);
  });

  it("one reset voids the other outstanding reset links", async () => {
    const { auth, forgot, reset } = setup();
    await registered(auth, "ada@example.com");
    const first = await forgot("ada@example.com");
    const second = await forgot("ada@example.com");
    expect((await reset(second.token)).status).toBe(204);
    expect((await reset(first.token)).status).toBe(401);
  });

  it("does not accept a magic-link token, nor is a reset token a magic link", async () => {
    const { auth, mailer, forgot, reset } = setup();
    await registered(auth, "ada@example.com");
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    const magic = new URL(mailer.sent.at(-1)?.url as string).searchParams.get("token");
    expect((await reset(magic)).json?.error.code).toBe("token_invalid");
    const { token } = await forgot("ada@example.com");
    const asMagic = await call(auth, "GET", `/auth/magic-link/verify?token=${token}`, {
      headers: { accept: "application/json" },
    });
    expect(asMagic.json?.error.code).toBe("token_invalid");
    const asVerification = await call(auth, "GET", `/auth/email/verify?token=${token}`, {
      headers: { accept: "application/json" },
    });
    expect(asVerification.status).toBe(401);
    // Neither attempt used the reset token up.
    expect((await reset(token)).status).toBe(204);
  });

  it("lets an account created by magic link set its first password", async () => {
    const { auth, mailer, forgot, reset, login } = setup();
    await call(auth, "POST", "/auth/magic-link", { body: { email: "new@example.com" } });
    await auth.api.flushOutbox();
    const link = new URL(mailer.sent.at(-1)?.url as string);
    await call(auth, "GET", `${link.pathname}${link.search}`);
    const { token } = await forgot("new@example.com");
    expect((await reset(token)).status).toBe(204);
    expect((await login("new@example.com", NEW_PASSWORD)).status).toBe(200);
  });
});

it("reset revokes the user's refresh tokens too", async () => {
  const { auth, forgot, reset } = setup();
  await registered(auth, "ada@example.com");
  const grant = await call(auth, "POST", "/auth/token", {
    body: { grant_type: "password", username: "ada@example.com", password: PASSWORD },
  });
  expect(grant.status).toBe(200);
  const { token } = await forgot("ada@example.com");
  expect((await reset(token)).status).toBe(204);
  const refresh = await call(auth, "POST", "/auth/token", {
    body: { grant_type: "refresh_token", refresh_token: grant.json?.refresh_token },
  });
  expect(refresh.status).toBe(400);
});
