import { describe, expect, it } from "vitest";
import type { AuthEvent, MailMessage } from "../../src/index.js";
import { call, PASSWORD, registered, sessionCookieFrom, sessionTokenFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import {
  loginOptions,
  passkeyLogin,
  softAuthenticator,
  userWithPasskey,
} from "../passkeys/helpers.js";
import { refresh, tokenRequest } from "../tokens/helpers.js";
import { ADMIN_TOKEN, adminAuth, asAdmin, type TestAuth } from "./helpers.js";

/*
 * A disabled account (ASVS 7.4.2): every credential it holds dies at once, and it signs in by no
 * method. What it had and what it could get are attacked here one by one.
 */

function setup() {
  const mailer = captureMailer();
  const events: AuthEvent[] = [];
  const auth = adminAuth({ mailer, on: { "*": (event) => void events.push(event) } });
  return { auth, mailer, events };
}

/** Everything a signed-in user can hold: a cookie, a session token, access and refresh tokens. */
async function fullyEquipped(auth: TestAuth, email = "ada@example.com") {
  const account = await registered(auth, email);
  const granted = await tokenRequest(auth, {
    grant_type: "password",
    username: email,
    password: PASSWORD,
  });
  expect(granted.status).toBe(200);
  return {
    user: account.user as { id: string; email: string },
    cookie: account.cookie,
    sessionToken: sessionTokenFrom(account.response),
    accessToken: granted.json?.access_token as string,
    refreshToken: granted.json?.refresh_token as string,
  };
}

/** The mail sent by a request, after flushing the outbox. */
async function mailOf(
  auth: TestAuth,
  mailer: ReturnType<typeof captureMailer>,
  send: () => Promise<unknown>,
) {
  const before = mailer.sent.length;
  const result = await send();
  await auth.api.flushOutbox();
  return { result, mail: mailer.sent[before] as MailMessage | undefined };
}

const tokenOf = (mail: MailMessage | undefined) =>
  new URL(mail?.url as string).searchParams.get("token") as string;

describe("disabling a user", () => {
  it("kills the session cookie, the session token, the access JWT and the refresh token at once", async () => {
    const { auth } = setup();
    const held = await fullyEquipped(auth);
    const bystander = await fullyEquipped(auth, "bob@example.com");
    const alive = async (who: typeof held) => ({
      cookie: (await call(auth, "GET", "/auth/session", { cookie: who.cookie })).status,
      sessionToken: (await call(auth, "GET", "/auth/session", { bearer: who.sessionToken })).status,
      accessToken: (await call(auth, "GET", "/auth/session", { bearer: who.accessToken })).status,
    });
    expect(await alive(held)).toEqual({ cookie: 200, sessionToken: 200, accessToken: 200 });

    const disabled = await asAdmin(auth, "POST", `/users/${held.user.id}/disable`, {
      origin: null,
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json?.user).toMatchObject({ id: held.user.id, disabledAt: expect.any(String) });

    expect(await alive(held)).toEqual({ cookie: 401, sessionToken: 401, accessToken: 401 });
    const refreshed = await refresh(auth, held.refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.json?.error).toBe("invalid_grant");
    // Services that verify JWTs with the revocation check refuse it too.
    await expect(
      auth.api.verifyAccessToken(held.accessToken, { checkRevocation: true }),
    ).rejects.toMatchObject({ code: "token_invalid" });
    expect(await auth.api.listSessions(held.user.id)).toEqual([]);
    expect(await auth.storage.sessions.listByUser(held.user.id)).toEqual([]);
    // Nobody else's.
    expect(await alive(bystander)).toEqual({ cookie: 200, sessionToken: 200, accessToken: 200 });
    expect((await refresh(auth, bystander.refreshToken)).status).toBe(200);
  });

  it("refuses a disabled user's credentials even when no revocation ran (defense in depth)", async () => {
    const { auth } = setup();
    const held = await fullyEquipped(auth);
    // The mark alone, as if revoking had failed halfway: the guard reads it with the session.
    await auth.storage.users.update(held.user.id, {
      disabledAt: new Date(),
      updatedAt: new Date(),
    });
    expect((await call(auth, "GET", "/auth/session", { cookie: held.cookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/session", { bearer: held.accessToken })).status).toBe(
      401,
    );
    expect(await auth.authenticate({ cookie: held.cookie })).toBeNull();
    expect(await auth.api.getSession(held.sessionToken)).toBeNull();
    expect((await refresh(auth, held.refreshToken)).json?.error).toBe("invalid_grant");
    const [session] = await auth.storage.sessions.listByUser(held.user.id);
    await expect(
      auth.api.issueTokensForSession({ userId: held.user.id, sessionId: session?.id as string }),
    ).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("refuses password login, the password grant and passkey login with 403 account_disabled", async () => {
    const { auth, events } = setup();
    const { authenticator, user } = await userWithPasskey(auth, undefined, "ada@example.com");
    await auth.api.admin.disableUser(user.id);
    events.length = 0;

    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(403);
    expect(login.json?.error).toEqual({
      code: "account_disabled",
      message: "This account is disabled; contact the administrator to have it enabled again",
    });
    expect(login.headers.get("set-cookie")).toBeNull();
    // Whoever lacks the password learns nothing: the usual answer.
    const guess = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "not the password" },
    });
    expect(guess.json?.error.code).toBe("invalid_credentials");

    const grant = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    // The token endpoint in RFC 6749 form: invalid_grant, the description saying why.
    expect(grant.status).toBe(400);
    expect(grant.json).toEqual({
      error: "invalid_grant",
      error_description:
        "This account is disabled; contact the administrator to have it enabled again",
    });
    expect(grant.json?.access_token).toBeUndefined();

    const passkey = await passkeyLogin(auth, authenticator.get(await loginOptions(auth)));
    expect(passkey.status).toBe(403);
    expect(passkey.json?.error.code).toBe("account_disabled");
    expect(passkey.headers.get("set-cookie")).toBeNull();

    await expect(
      auth.api.login({ email: "ada@example.com", password: PASSWORD }),
    ).rejects.toMatchObject({ code: "account_disabled", status: 403 });
    // No session was left behind by any of the refused sign-ins.
    expect(await auth.storage.sessions.listByUser(user.id)).toEqual([]);
    // Each refusal is on record, with its method; the wrong guess as the wrong password it was.
    const failures = events.filter((event) => event.type === "user.sign_in_failed");
    expect(failures.map((event) => [event.method, event.reason])).toEqual([
      ["password", "account_disabled"],
      ["password", "wrong_password"],
      ["token", "account_disabled"],
      ["passkey", "account_disabled"],
      ["password", "account_disabled"],
    ]);
    expect(failures.every((event) => event.userId === user.id)).toBe(true);
    expect(events.some((event) => event.type === "user.signed_in")).toBe(false);
  });

  it("mails a disabled user nothing: magic link, code and reset answer 202 as for no account", async () => {
    const { auth, mailer } = setup();
    const { user } = await registered(auth, "ada@example.com");
    await auth.api.admin.disableUser(user.id);
    for (const [path, body] of [
      ["/auth/magic-link", { email: "ada@example.com" }],
      ["/auth/magic-link", { email: "ada@example.com", type: "code" }],
      ["/auth/password/forgot", { email: "ada@example.com" }],
    ] as const) {
      const disabled = await call(auth, "POST", path, { body });
      const unknown = await call(auth, "POST", path, {
        body: { ...body, email: "ghost@example.com" },
      });
      expect(disabled.status).toBe(202);
      expect(await disabled.response.text()).toBe(await unknown.response.text());
    }
    await auth.api.flushOutbox();
    // The magic-link sign-up mails the unknown address; nothing went to the disabled one.
    expect(mailer.sent.filter((message) => message.to === "ada@example.com")).toEqual([]);
  });

  it("voids the links and codes mailed before, and refuses any that escaped with account_disabled", async () => {
    const { auth, mailer } = setup();
    const { user } = await registered(auth, "ada@example.com");
    const mailed = async () => ({
      link: tokenOf(
        (
          await mailOf(auth, mailer, () =>
            call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } }),
          )
        ).mail,
      ),
      code: (
        await mailOf(auth, mailer, () =>
          call(auth, "POST", "/auth/magic-link", {
            body: { email: "ada@example.com", type: "code" },
          }),
        )
      ).mail?.code as string,
      reset: tokenOf(
        (
          await mailOf(auth, mailer, () =>
            call(auth, "POST", "/auth/password/forgot", { body: { email: "ada@example.com" } }),
          )
        ).mail,
      ),
    });
    const use = (tokens: Awaited<ReturnType<typeof mailed>>) =>
      Promise.all([
        call(auth, "GET", `/auth/magic-link/verify?token=${tokens.link}`, {
          headers: { accept: "application/json" },
        }),
        call(auth, "POST", "/auth/magic-link/verify-code", {
          body: { email: "ada@example.com", code: tokens.code },
        }),
        call(auth, "POST", "/auth/password/reset", {
          body: { token: tokens.reset, password: "a brand new passphrase" },
        }),
      ]);

    // Disabling voids what was mailed: the links are simply gone.
    const before = await mailed();
    await auth.api.admin.disableUser(user.id);
    for (const result of await use(before)) {
      expect(result.json?.error.code).toBe("token_invalid");
      expect(result.headers.get("set-cookie")).toBeNull();
    }

    // Links that escaped the voiding (mailed while the mark was being written): refused, and
    // nothing about the account changes (no password set, no session, no proof recorded).
    await auth.api.admin.enableUser(user.id);
    const escaped = await mailed();
    await auth.storage.users.update(user.id, { disabledAt: new Date(), updatedAt: new Date() });
    for (const result of await use(escaped)) {
      expect(result.status).toBe(403);
      expect(result.json?.error.code).toBe("account_disabled");
      expect(result.headers.get("set-cookie")).toBeNull();
    }
    expect(await auth.storage.sessions.listByUser(user.id)).toEqual([]);
    expect((await auth.storage.users.findById(user.id))?.emailVerified).toBe(false);
    await auth.api.admin.enableUser(user.id);
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it("lets nobody take a disabled user's address by registering it again", async () => {
    const { auth } = setup();
    const { user } = await registered(auth, "ada@example.com");
    await auth.api.admin.disableUser(user.id);
    const again = await call(auth, "POST", "/auth/register", {
      body: { email: "ADA@example.com", password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.json?.error.code).toBe("email_taken");
    expect((await auth.storage.users.findByEmail("ada@example.com"))?.id).toBe(user.id);
  });

  it("lets no passkey sign-up take a disabled user's address, nor sign anyone in", async () => {
    const auth = adminAuth({ passkey: { signUp: true } });
    const { user } = await registered(auth, "ada@example.com");
    await auth.api.admin.disableUser(user.id);
    const options = await call(auth, "POST", "/auth/passkey/register/options", {
      body: { email: "ada@example.com" },
    });
    expect(options.status).toBe(200);
    const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
      body: softAuthenticator().create(options.json as never),
    });
    expect(verify.status).toBe(409);
    expect(verify.json?.error.code).toBe("email_taken");
    expect(verify.headers.get("set-cookie")).toBeNull();
    expect(await auth.storage.passkeys.listByUser(user.id)).toEqual([]);
    expect(await auth.storage.sessions.listByUser(user.id)).toEqual([]);
  });

  it("opens no session for a sign-in that races the disable", async () => {
    const { auth } = setup();
    const { user } = await registered(auth, "ada@example.com");
    const create = auth.storage.sessions.create.bind(auth.storage.sessions);
    let raced = false;
    // The password checked out against an enabled account; the disable lands just before the
    // new session is written, after revoking found nothing to revoke.
    auth.storage.sessions.create = async (session) => {
      if (!raced) {
        raced = true;
        await auth.api.admin.disableUser(user.id);
      }
      return create(session);
    };
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(raced).toBe(true);
    expect(login.status).toBe(403);
    expect(login.json?.error.code).toBe("account_disabled");
    expect(await auth.storage.sessions.listByUser(user.id)).toEqual([]);
  });

  it("is undone by enableUser: fresh sign-ins work, what was revoked stays revoked", async () => {
    const { auth } = setup();
    const held = await fullyEquipped(auth);
    await asAdmin(auth, "POST", `/users/${held.user.id}/disable`);
    const enabled = await asAdmin(auth, "POST", `/users/${held.user.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.json?.user.disabledAt).toBeNull();
    expect((await call(auth, "GET", "/auth/session", { cookie: held.cookie })).status).toBe(401);
    expect((await refresh(auth, held.refreshToken)).status).toBe(400);
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookie = sessionCookieFrom(login.response);
    expect((await call(auth, "GET", "/auth/session", { cookie })).json?.user).toMatchObject({
      id: held.user.id,
      disabledAt: null,
    });
    const grant = await tokenRequest(auth, {
      grant_type: "password",
      username: "ada@example.com",
      password: PASSWORD,
    });
    expect(grant.status).toBe(200);
  });

  it("emits user.disabled and user.enabled by the admin, once each, and the audit log keeps them", async () => {
    const { auth, events } = setup();
    const held = await fullyEquipped(auth);
    events.length = 0;
    const headers = { "user-agent": "ops-script/1.0" };
    const ip = "203.0.113.9";
    await asAdmin(auth, "POST", `/users/${held.user.id}/disable`, { clientIP: ip, headers });
    // Again: nothing new to disable, so no second event (what was left is revoked all the same).
    await asAdmin(auth, "POST", `/users/${held.user.id}/disable`, { clientIP: ip, headers });
    await asAdmin(auth, "POST", `/users/${held.user.id}/enable`, { clientIP: ip, headers });
    await asAdmin(auth, "POST", `/users/${held.user.id}/enable`, { clientIP: ip, headers });
    expect(events.map((event) => event.type)).toEqual([
      "session.revoked",
      "user.disabled",
      "user.enabled",
    ]);
    expect(events[0]).toMatchObject({ userId: held.user.id, reason: "revoked" });
    expect((events[0] as { sessionIds: string[] }).sessionIds).toHaveLength(2);
    for (const event of events.slice(1)) {
      expect(event).toMatchObject({
        userId: held.user.id,
        by: "admin",
        ip,
        userAgent: "ops-script/1.0",
      });
    }
    const audit = await asAdmin(auth, "GET", `/audit?userId=${held.user.id}&type=user.disabled`);
    expect(audit.status).toBe(200);
    expect(audit.json?.events).toEqual([JSON.parse(JSON.stringify(events[1]))]);
    const page = await auth.api.admin.listAuditEvents({ userId: held.user.id, limit: 3 });
    expect(page.events.map((event) => event.type)).toEqual([
      "user.enabled",
      "user.disabled",
      "session.revoked",
    ]);
  });

  it("answers not_found for an unknown user and invalid_request for a bad id", async () => {
    const { auth } = setup();
    for (const action of ["disable", "enable"]) {
      const result = await asAdmin(auth, "POST", `/users/nobody/${action}`);
      expect(result.status).toBe(404);
      expect(result.json?.error.code).toBe("not_found");
    }
    await expect(auth.api.admin.disableUser("")).rejects.toMatchObject({
      code: "invalid_request",
    });
    await expect(auth.api.admin.enableUser(42 as never)).rejects.toMatchObject({
      code: "invalid_request",
    });
  });
});

describe("revoking a user's sessions", () => {
  it("ends every session and token of the user, who may sign in again", async () => {
    const { auth, events } = setup();
    const held = await fullyEquipped(auth);
    const bystander = await fullyEquipped(auth, "bob@example.com");
    events.length = 0;
    const result = await asAdmin(auth, "DELETE", `/users/${held.user.id}/sessions`);
    expect(result.status).toBe(200);
    expect(result.json?.revoked).toHaveLength(2);
    expect((await call(auth, "GET", "/auth/session", { cookie: held.cookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/session", { bearer: held.accessToken })).status).toBe(
      401,
    );
    expect((await refresh(auth, held.refreshToken)).status).toBe(400);
    expect(events).toMatchObject([
      { type: "session.revoked", userId: held.user.id, reason: "revoked" },
    ]);
    expect((await call(auth, "GET", "/auth/session", { cookie: bystander.cookie })).status).toBe(
      200,
    );
    // Not disabled: the next sign-in works.
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(200);
    // Nothing left to revoke; an unknown user is not_found.
    expect(await auth.api.admin.revokeUserSessions(held.user.id)).toHaveLength(1);
    expect(await auth.api.admin.revokeUserSessions(held.user.id)).toEqual([]);
    expect((await asAdmin(auth, "DELETE", "/users/nobody/sessions")).status).toBe(404);
    expect(ADMIN_TOKEN.length).toBeGreaterThanOrEqual(32);
  });
});
