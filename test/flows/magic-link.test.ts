import { describe, expect, it } from "vitest";
import type { MailMessage } from "../../src/index.js";
import { call, makeAuth, manualClock, registered, sessionCookieFrom } from "../helpers.js";
import { captureMailer, linkIn, pathOf } from "../mail/fixtures.js";

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({
    mailer,
    clock,
    trustedOrigins: ["https://app.example.com"],
    ...overrides,
  });
  async function magicLink(email: string, body: Record<string, unknown> = {}) {
    const before = mailer.sent.length;
    const response = await call(auth, "POST", "/auth/magic-link", { body: { email, ...body } });
    await auth.api.flushOutbox();
    const mail = mailer.sent[before] as MailMessage | undefined;
    return { response, mail, link: mail?.url ? new URL(mail.url) : null };
  }
  return { auth, mailer, clock, magicLink };
}

const tokenOf = (link: URL | null) => link?.searchParams.get("token") as string;

describe("POST /auth/magic-link", () => {
  it("answers 202 alike for an existing and an unknown address, and mails only the stored one", async () => {
    const { auth, mailer, magicLink } = setup({ magicLink: { signUp: false } });
    await registered(auth, "ada@example.com");
    const known = await magicLink("ADA@example.com");
    const unknown = await magicLink("nobody@example.com");
    expect(known.response.status).toBe(202);
    expect(unknown.response.status).toBe(202);
    expect(await known.response.response.text()).toBe(await unknown.response.response.text());
    expect(mailer.sent.map((m) => m.to)).toEqual(["ada@example.com"]);
    expect(mailer.sent[0]?.type).toBe("magic-link");
  });

  it("creates the account on first use of an unknown address, and none before the click", async () => {
    const { auth, magicLink } = setup();
    const { link } = await magicLink("new@example.com");
    expect(await auth.storage.users.findByEmail("new@example.com")).toBeNull();
    const verify = await call(auth, "GET", pathOf(link as URL));
    expect(verify.status).toBe(302);
    const user = await auth.storage.users.findByEmail("new@example.com");
    expect(user).toMatchObject({ emailVerified: true });
  });

  it("stores only the SHA-256 of the token", async () => {
    const { auth, magicLink } = setup();
    const { link } = await magicLink("ada@example.com");
    const token = tokenOf(link);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { sha256Base64url } = await import("../../src/crypto/sha256.js");
    const record = await auth.storage.verifications.consume(
      sha256Base64url(token),
      "magic-link",
      new Date(Date.UTC(2026, 0, 1)),
    );
    expect(record?.identifier).toBe("ada@example.com");
    expect(JSON.stringify(record)).not.toContain(token);
  });

  it("rate-limits per address alike for existing and unknown addresses", async () => {
    const { auth, magicLink } = setup({ mailRateLimit: { max: 2, window: 3600 } });
    await registered(auth, "ada@example.com");
    for (const email of ["ada@example.com", "ghost@example.com"]) {
      expect((await magicLink(email)).response.status).toBe(202);
      expect((await magicLink(email)).response.status).toBe(202);
      const third = await magicLink(email);
      expect(third.response.status).toBe(429);
      expect(third.response.headers.get("retry-after")).toBeTruthy();
      expect(third.mail).toBeUndefined();
    }
  });

  it("rate-limits per IP", async () => {
    const { auth } = setup({ rateLimit: { perIP: { max: 2, window: 60 } } });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(auth, "POST", "/auth/magic-link", {
        body: { email: `user${i}@example.com` },
        clientIP: "203.0.113.9",
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 429]);
  });
});

describe("GET /auth/magic-link/verify", () => {
  it("expires after 10 minutes", async () => {
    const { auth, clock, magicLink } = setup();
    const { link } = await magicLink("ada@example.com");
    clock.advance(10 * 60 + 1);
    const late = await call(auth, "GET", pathOf(link as URL), {
      headers: { accept: "application/json" },
    });
    expect(late.status).toBe(401);
    expect(late.json?.error.code).toBe("token_invalid");
  });

  it("answers JSON with the session cookie when the client asks for JSON", async () => {
    const { auth, magicLink } = setup();
    const { link } = await magicLink("ada@example.com");
    const verify = await call(auth, "GET", pathOf(link as URL), {
      headers: { accept: "application/json" },
    });
    expect(verify.status).toBe(200);
    expect(verify.json?.user.email).toBe("ada@example.com");
    expect(sessionCookieFrom(verify.response)).toContain("portcullis.session=");
  });

  it("of concurrent uses of one link, exactly one signs in", async () => {
    const { auth, magicLink } = setup();
    await registered(auth, "ada@example.com");
    const { link } = await magicLink("ada@example.com");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(auth, "GET", pathOf(link as URL))),
    );
    const signedIn = results.filter((r) => r.headers.get("set-cookie") !== null);
    expect(signedIn).toHaveLength(1);
    const user = await auth.storage.users.findByEmail("ada@example.com");
    // The one magic-link session: the first proof of the address, by a browser that did not
    // hold the account, ended the registration's session (see test/security).
    expect(await auth.api.listSessions(user?.id as string)).toHaveLength(1);
  });

  it("of concurrent first uses by an unknown address, exactly one account and one session", async () => {
    const { auth, magicLink } = setup();
    const { link } = await magicLink("new@example.com");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call(auth, "GET", pathOf(link as URL))),
    );
    expect(results.filter((r) => r.headers.get("set-cookie") !== null)).toHaveLength(1);
    const user = await auth.storage.users.findByEmail("new@example.com");
    expect(await auth.api.listSessions(user?.id as string)).toHaveLength(1);
  });

  it("ends a session planted in the browser before sign-in", async () => {
    const { auth, magicLink } = setup();
    const planted = (await registered(auth, "mallory@example.com")).cookie;
    const { link } = await magicLink("ada@example.com");
    await call(auth, "GET", pathOf(link as URL), { cookie: planted });
    expect((await call(auth, "GET", "/auth/session", { cookie: planted })).status).toBe(401);
  });

  it("refuses a link whose account moved to another address since", async () => {
    const { auth, magicLink } = setup();
    const { user } = await registered(auth, "ada@example.com");
    const { link } = await magicLink("ada@example.com");
    await auth.storage.users.update(user.id, {
      email: "ada@new.example",
      updatedAt: new Date(),
    });
    const verify = await call(auth, "GET", pathOf(link as URL));
    expect(verify.headers.get("location")).toContain("error=token_invalid");
    expect(verify.headers.get("set-cookie")).toBeNull();
  });
});

describe("redirect allowlist", () => {
  const attacks = [
    "//evil.com",
    "/\\evil.com",
    "https:evil.com",
    "%2F%2Fevil.com",
    "https://app.example.com.evil.com",
    "app.example.com.evil.com",
    "javascript:alert(document.cookie)",
    "https://evil.com",
    "https://app.example.com@evil.com",
    "http://localhost:3000@evil.com",
    "\t//evil.com",
    "data:text/html,<script>alert(1)</script>",
  ];

  for (const target of attacks) {
    it(`never sends the browser off-site for redirectTo=${JSON.stringify(target)}`, async () => {
      const { auth, magicLink } = setup();
      // Given at request time...
      const stored = await magicLink("ada@example.com", { redirectTo: target });
      const first = await call(auth, "GET", pathOf(stored.link as URL));
      // ...and in the verify URL's query, percent-encoded as a browser would send it.
      const { link } = await magicLink("ada@example.com");
      const query = `${pathOf(link as URL)}&redirectTo=${encodeURIComponent(target)}`;
      const second = await call(auth, "GET", query);
      for (const response of [first, second]) {
        expect(response.status).toBe(302);
        const location = new URL(response.headers.get("location") as string);
        expect(["http://localhost:3000", "https://app.example.com"]).toContain(location.origin);
        expect(location.host).not.toContain("evil");
      }
    });
  }

  it("allows paths on baseURL and URLs of trusted origins", async () => {
    const { auth, magicLink } = setup();
    const { link } = await magicLink("ada@example.com", {
      redirectTo: "https://app.example.com/welcome",
    });
    const verify = await call(auth, "GET", pathOf(link as URL));
    expect(verify.headers.get("location")).toBe("https://app.example.com/welcome");
  });
});

describe("6-digit code", () => {
  async function requestCode(ctx: ReturnType<typeof setup>, email: string) {
    await call(ctx.auth, "POST", "/auth/magic-link", { body: { email, type: "code" } });
    await ctx.auth.api.flushOutbox();
    const mail = ctx.mailer.sent.at(-1);
    expect(mail?.type).toBe("login-code");
    return mail?.code as string;
  }
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");
  const verifyCode = (ctx: ReturnType<typeof setup>, email: string, code: string) =>
    call(ctx.auth, "POST", "/auth/magic-link/verify-code", { body: { email, code } });

  it("allows at most 5 guesses per code: the right code after 5 wrong ones is refused", async () => {
    const ctx = setup();
    const code = await requestCode(ctx, "ada@example.com");
    for (let i = 0; i < 5; i++) {
      const guess = await verifyCode(ctx, "ada@example.com", wrong(code));
      expect(guess.json?.error.code).toBe("token_invalid");
    }
    const sixth = await verifyCode(ctx, "ada@example.com", code);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("set-cookie")).toBeNull();
  });

  it("counts concurrent guesses too", async () => {
    const ctx = setup();
    const code = await requestCode(ctx, "ada@example.com");
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        verifyCode(ctx, "ada@example.com", String(i).padStart(6, "0")),
      ),
    );
    expect(guesses.filter((g) => g.status === 429).length).toBeGreaterThanOrEqual(15);
    expect((await verifyCode(ctx, "ada@example.com", code)).status).toBe(429);
  });

  it("is single-use, bound to its address, and void once a newer code is issued", async () => {
    const ctx = setup();
    const first = await requestCode(ctx, "ada@example.com");
    expect((await verifyCode(ctx, "bob@example.com", first)).status).toBe(401);
    const second = await requestCode(ctx, "ada@example.com");
    if (second !== first) {
      expect((await verifyCode(ctx, "ada@example.com", first)).status).toBe(401);
    }
    expect((await verifyCode(ctx, "ada@example.com", second)).status).toBe(200);
    expect((await verifyCode(ctx, "ada@example.com", second)).status).toBe(401);
  });

  it("expires after 10 minutes", async () => {
    const ctx = setup();
    const code = await requestCode(ctx, "ada@example.com");
    ctx.clock.advance(10 * 60 + 1);
    expect((await verifyCode(ctx, "ada@example.com", code)).status).toBe(401);
  });

  it("is not a magic-link token, and a magic link is not a code", async () => {
    const ctx = setup();
    const code = await requestCode(ctx, "ada@example.com");
    const asLink = await call(ctx.auth, "GET", `/auth/magic-link/verify?token=${code}`, {
      headers: { accept: "application/json" },
    });
    expect(asLink.status).toBe(401);
    expect((await verifyCode(ctx, "ada@example.com", code)).status).toBe(200);
  });
});

it("a link is read from the text and html parts identically", async () => {
  const { mailer, magicLink } = setup();
  await magicLink("ada@example.com");
  const mail = mailer.sent[0] as MailMessage;
  expect(linkIn(mail.text).href).toBe(mail.url);
  expect(mail.html).toContain(`href="${(mail.url as string).replace(/&/g, "&amp;")}"`);
});
