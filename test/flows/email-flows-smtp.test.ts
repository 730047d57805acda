import type { ParsedMail } from "mailparser";
import { afterEach, beforeEach, expect, it } from "vitest";
import { call, makeAuth, registered } from "../helpers.js";
import { linkIn, pathOf, type SmtpFixture, startSmtpServer } from "../mail/fixtures.js";

/* Each email flow end to end: the request, the mail through a real SMTP server, the link. */

let smtp: SmtpFixture;
beforeEach(async () => {
  smtp = await startSmtpServer();
});
afterEach(async () => {
  await smtp.close();
});

const recipients = (mail: ParsedMail | undefined) =>
  mail?.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [];

it("verification on registration, then password reset, then change of email", async () => {
  const auth = makeAuth({
    mailer: smtp.mailer,
    appName: "Acme",
    emailVerification: { sendOnRegister: true, required: true },
  });
  const { cookie } = await registered(auth, "ada@example.com");
  await auth.api.flushOutbox();
  const verification = smtp.received.at(-1);
  expect(verification?.subject).toBe("Confirm your email for Acme");
  expect(recipients(verification)).toEqual(["ada@example.com"]);
  const verified = await call(auth, "GET", pathOf(linkIn(verification?.text)), {
    headers: { accept: "application/json" },
  });
  expect(verified.json?.user.emailVerified).toBe(true);

  await call(auth, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } });
  await auth.api.flushOutbox();
  const resetMail = smtp.received.at(-1);
  expect(resetMail?.subject).toBe("Reset your Acme password");
  const resetLink = linkIn(resetMail?.text);
  expect(resetLink.pathname).toBe("/reset-password");
  const reset = await call(auth, "POST", "/auth/password/reset", {
    body: { token: resetLink.searchParams.get("token"), password: "a brand new passphrase" },
  });
  expect(reset.status).toBe(204);
  expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);

  const login = await call(auth, "POST", "/auth/login", {
    body: { email: "ada@example.com", password: "a brand new passphrase" },
  });
  const fresh = (login.headers.get("set-cookie") as string).split(";")[0] as string;
  const change = await call(auth, "POST", "/auth/email/change", {
    cookie: fresh,
    body: { newEmail: "ada@new.example" },
  });
  expect(change.status).toBe(202);
  await auth.api.flushOutbox();
  const [confirm, warning] = smtp.received
    .slice(-2)
    .sort((a) => (recipients(a)[0] === "ada@new.example" ? -1 : 1));
  expect(recipients(confirm)).toEqual(["ada@new.example"]);
  // The old address hears of it at once, with a link that stops the change.
  expect(recipients(warning)).toEqual(["ada@example.com"]);
  expect(linkIn(warning?.text).pathname).toBe("/auth/email/change/cancel");
  await call(auth, "GET", pathOf(linkIn(confirm?.text)));
  await auth.api.flushOutbox();
  const notice = smtp.received.at(-1);
  expect(recipients(notice)).toEqual(["ada@example.com"]);
  expect(notice?.subject).toBe("Your Acme email address was changed");
  const oldLogin = await call(auth, "POST", "/auth/login", {
    body: { email: "ada@example.com", password: "a brand new passphrase" },
  });
  expect(oldLogin.status).toBe(401);
});
