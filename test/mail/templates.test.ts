import { afterEach, describe, expect, it, vi } from "vitest";
import { smtpMailer } from "../../adapters/smtp/index.js";
import { ConfigError, consoleMailer, html, type MailMessage } from "../../src/index.js";
import { renderMail } from "../../src/mail/templates.js";
import { call, makeAuth } from "../helpers.js";
import { captureMailer } from "./fixtures.js";

const TYPES = [
  "magic-link",
  "login-code",
  "email-verification",
  "password-reset",
  "email-change",
  "email-change-notice",
] as const;

describe("templates", () => {
  it("escape every interpolated value in the HTML of every message type", async () => {
    const hostile = `<script>alert("x")</script>`;
    for (const type of TYPES) {
      const mail = await renderMail(type, {
        appName: hostile,
        email: `a"><img src=x onerror=alert(1)>@example.com`,
        url: `https://app.example/?a=1&b="><script>`,
        code: "123456",
        newEmail: hostile,
        expiresInMinutes: 15,
      });
      expect(mail.html).not.toContain("<script>");
      expect(mail.html).not.toContain("<img");
      expect(mail.html).toContain("&lt;script&gt;");
      expect(mail.text.length).toBeGreaterThan(0);
    }
  });

  it("keep the subject on one line whatever a value or an override contains", async () => {
    const mail = await renderMail("magic-link", {
      appName: "Acme\r\nBcc: x@evil.com",
      email: "a@b.c",
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    const overridden = await renderMail(
      "password-reset",
      { appName: "Acme", email: "a@b.c" },
      { "password-reset": () => ({ subject: "Reset\nBcc: x@evil.com", text: "t", html: "h" }) },
    );
    expect(overridden.subject).toBe("Reset Bcc: x@evil.com");
  });

  it("can be overridden per type, with the html tag escaping for the override", async () => {
    const mailer = captureMailer();
    const auth = makeAuth({
      mailer,
      appName: "Acme",
      emailTemplates: {
        "magic-link": (data) => ({
          subject: `Your ${data.appName} link`,
          text: `Go: ${data.url}`,
          html: html`<a href="${data.url}">Go</a>`,
        }),
      },
    });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await call(auth, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } });
    await auth.api.flushOutbox();
    const [magic] = mailer.sent as [MailMessage];
    expect(magic.subject).toBe("Your Acme link");
    expect(magic.html).toBe(`<a href="${(magic.url as string).replace(/&/g, "&amp;")}">Go</a>`);
    // The magic link went to an unknown address with sign-up on; reset mails only accounts.
    expect(mailer.sent).toHaveLength(1);
  });
});

describe("mailers", () => {
  it("consoleMailer prints the recipient and the link readably", async () => {
    const lines: string[] = [];
    const mailer = consoleMailer({ log: (line) => lines.push(line) });
    await mailer.send({
      type: "magic-link",
      to: "ada@example.com",
      subject: "Sign in",
      text: "…",
      html: "…",
      url: "http://localhost:3000/auth/magic-link/verify?token=abc",
    });
    expect(lines[0]).toContain("ada@example.com");
    expect(lines[0]).toContain("Link:    http://localhost:3000/auth/magic-link/verify?token=abc");
  });

  it("smtpMailer gives nodemailer exactly one recipient object, never a parseable list", async () => {
    const sent: Record<string, unknown>[] = [];
    const mailer = smtpMailer({
      from: "Acme <no-reply@acme.example>",
      transport: {
        sendMail: async (mail: Record<string, unknown>) => {
          sent.push(mail);
          return { rejected: [] };
        },
      } as never,
    });
    await mailer.send({
      type: "password-reset",
      to: "a@x.example",
      subject: "s",
      text: "t",
      html: "h",
    });
    expect(sent[0]?.to).toEqual({ name: "", address: "a@x.example" });
    expect(sent[0]).toMatchObject({ disableFileAccess: true, disableUrlAccess: true });
  });

  it("smtpMailer fails the send (so the outbox retries) when the server rejects the recipient", async () => {
    const mailer = smtpMailer({
      sendMail: async () => ({ rejected: ["a@x.example"] }),
    } as never);
    await expect(
      mailer.send({ type: "magic-link", to: "a@x.example", subject: "s", text: "t", html: "h" }),
    ).rejects.toThrow(/rejected/);
  });
});

describe("mail configuration", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("in production without a mailer, email routes are off", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const auth = makeAuth();
    const forgot = await call(auth, "POST", "/auth/password/forgot", {
      body: { email: "a@example.com" },
    });
    expect(forgot.status).toBe(404);
    expect(
      (await call(auth, "POST", "/auth/magic-link", { body: { email: "a@x.io" } })).status,
    ).toBe(404);
  });

  it("in production, enabling an email feature without a mailer is a ConfigError", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(() => makeAuth({ magicLink: { enabled: true } })).toThrow(ConfigError);
    expect(() => makeAuth({ emailVerification: { required: true } })).toThrow(
      /emailVerification.*mailer/,
    );
    expect(() => makeAuth({ mailer: captureMailer(), magicLink: { enabled: true } })).not.toThrow();
  });

  it("a feature switched off answers 404", async () => {
    const auth = makeAuth({ mailer: captureMailer(), magicLink: { enabled: false } });
    expect(
      (await call(auth, "POST", "/auth/magic-link", { body: { email: "a@x.io" } })).status,
    ).toBe(404);
  });

  it("refuses pages off baseURL and the trusted origins", () => {
    expect(() => makeAuth({ emailVerification: { redirectTo: "https://evil.example/" } })).toThrow(
      /emailVerification.redirectTo/,
    );
    expect(() => makeAuth({ passwordReset: { url: "//evil.example/reset" } })).toThrow(
      /passwordReset.url/,
    );
    expect(() => makeAuth({ mailer: { send: "nope" } as never })).toThrow(/mailer/);
  });
});
