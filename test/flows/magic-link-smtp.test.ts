import { afterEach, beforeEach, expect, it } from "vitest";
import { call, makeAuth, sessionCookieFrom } from "../helpers.js";
import { linkIn, pathOf, type SmtpFixture, startSmtpServer } from "../mail/fixtures.js";

let smtp: SmtpFixture;
beforeEach(async () => {
  smtp = await startSmtpServer();
});
afterEach(async () => {
  await smtp.close();
});

it("mails a magic link through SMTP that signs in once and lands on redirectTo", async () => {
  const auth = makeAuth({ mailer: smtp.mailer, appName: "Acme" });
  const request = await call(auth, "POST", "/auth/magic-link", {
    body: { email: "Ada@Example.com", redirectTo: "/dashboard?tab=1" },
  });
  expect(request.status).toBe(202);
  await auth.api.flushOutbox();

  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0];
  expect(mail?.to && "value" in mail.to ? mail.to.value.map((a) => a.address) : []).toEqual([
    "ada@example.com",
  ]);
  expect(mail?.subject).toBe("Sign in to Acme");
  expect(mail?.headers.get("x-portcullis-type")).toBe("magic-link");
  const link = linkIn(mail?.text);
  expect(link.origin + link.pathname).toBe("http://localhost:3000/auth/magic-link/verify");
  expect(mail?.html).toContain(link.href.replace(/&/g, "&amp;"));

  const verify = await call(auth, "GET", pathOf(link));
  expect(verify.status).toBe(302);
  expect(verify.headers.get("location")).toBe("http://localhost:3000/dashboard?tab=1");
  const cookie = sessionCookieFrom(verify.response);
  const session = await call(auth, "GET", "/auth/session", { cookie });
  expect(session.json?.user).toMatchObject({ email: "ada@example.com", emailVerified: true });

  const again = await call(auth, "GET", pathOf(link));
  expect(again.status).toBe(302);
  expect(again.headers.get("location")).toBe("http://localhost:3000/?error=token_invalid");
  expect(again.headers.get("set-cookie")).toBeNull();
});

it("mails a 6-digit code through SMTP that signs in at /magic-link/verify-code", async () => {
  const auth = makeAuth({ mailer: smtp.mailer });
  await call(auth, "POST", "/auth/magic-link", {
    body: { email: "ada@example.com", type: "code" },
  });
  await auth.api.flushOutbox();
  const code = smtp.received[0]?.text?.match(/\b\d{6}\b/)?.[0];
  expect(code).toMatch(/^\d{6}$/);
  expect(smtp.received[0]?.subject).toContain(code as string);
  const signIn = await call(auth, "POST", "/auth/magic-link/verify-code", {
    body: { email: "ada@example.com", code },
  });
  expect(signIn.status).toBe(200);
  expect(signIn.json?.user.email).toBe("ada@example.com");
  const cookie = sessionCookieFrom(signIn.response);
  expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
});
