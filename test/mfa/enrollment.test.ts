import Database from "better-sqlite3";
import * as OTPAuth from "otpauth";
import { describe, expect, it } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { AuthEvent } from "../../src/index.js";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";
import {
  authenticatorApp,
  enableMfa,
  mfaSetup,
  pendingCookie,
  verifiedAddress,
} from "./helpers.js";

const FRESH_AGE = 10 * 60;

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const clock = manualClock();
  const auth = makeAuth({ clock, ...overrides });
  const events: AuthEvent[] = [];
  auth.on("*", (event) => {
    events.push(event);
  });
  return { auth, clock, events };
}

/** A registered user whose address is verified, as setting up MFA needs. */
async function verifiedAccount(auth: ReturnType<typeof makeAuth>, email?: string) {
  const account = await registered(auth, email);
  await verifiedAddress(auth, account.user.id);
  return account;
}

const login = (auth: ReturnType<typeof makeAuth>) =>
  call(auth, "POST", "/auth/login", { body: { email: "ada@example.com", password: PASSWORD } });

describe("setting up TOTP", () => {
  it("shows the secret once, as base32 and as an otpauth:// URI an authenticator app reads", async () => {
    const { auth, clock } = setup({ appName: "Acme" });
    const { cookie } = await verifiedAccount(auth);
    const result = await call(auth, "POST", "/auth/mfa/totp/setup", { cookie });
    expect(result.status).toBe(200);
    const { secret, uri } = result.json as { secret: string; uri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toBe(
      `otpauth://totp/Acme:ada%40example.com?secret=${secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
    );
    const app = authenticatorApp(uri, clock);
    expect(app.app.secret.base32).toBe(secret);
    // The secret typed in by hand makes the same codes as the QR code.
    const typed = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    expect(typed.generate({ timestamp: clock.now() })).toBe(app.code());
  });

  it("names the app by baseURL's host without appName", async () => {
    const { auth } = setup();
    const { cookie } = await verifiedAccount(auth);
    const { uri } = (await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).json as {
      uri: string;
    };
    expect((OTPAuth.URI.parse(uri) as OTPAuth.TOTP).issuer).toBe("localhost 3000");
  });

  it("waits for a verified address: until then, whoever proves the address owns the account", async () => {
    const { auth } = setup();
    const { cookie, user } = await registered(auth);
    const refused = await call(auth, "POST", "/auth/mfa/totp/setup", { cookie });
    expect(refused.status).toBe(403);
    expect(refused.json?.error.code).toBe("email_not_verified");
    await verifiedAddress(auth, user.id);
    expect((await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).status).toBe(200);
  });

  it("needs a fresh session, or the password", async () => {
    const { auth, clock } = setup();
    const { cookie } = await verifiedAccount(auth);
    clock.advance(FRESH_AGE + 1);
    const stale = await call(auth, "POST", "/auth/mfa/totp/setup", { cookie });
    expect(stale.status).toBe(403);
    expect(stale.json?.error.code).toBe("reauthentication_required");
    const wrong = await call(auth, "POST", "/auth/mfa/totp/setup", {
      cookie,
      body: { currentPassword: "not my password" },
    });
    expect(wrong.status).toBe(401);
    const proven = await call(auth, "POST", "/auth/mfa/totp/setup", {
      cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(proven.status).toBe(200);
    expect((await call(auth, "POST", "/auth/mfa/totp/setup")).status).toBe(401);
  });

  it("changes nothing until it is confirmed: sign-in stays one factor", async () => {
    const { auth } = setup();
    const { cookie } = await verifiedAccount(auth);
    await call(auth, "POST", "/auth/mfa/totp/setup", { cookie });
    expect((await call(auth, "GET", "/auth/mfa", { cookie })).json).toEqual({
      enabled: false,
      enabledAt: null,
      recoveryCodesRemaining: 0,
      pendingSetup: true,
    });
    const signIn = await login(auth);
    expect(signIn.status).toBe(200);
    expect(signIn.json?.user).toBeDefined();
  });

  it("keeps the secret sealed at rest, for that user only", async () => {
    const { auth, clock } = setup();
    const ada = await verifiedAccount(auth);
    const bob = await verifiedAccount(auth, "bob@example.com");
    const { secret } = await enableMfa(auth, clock, ada.cookie);
    const stored = await auth.storage.mfa.get(ada.user.id);
    expect(stored?.totpSecret).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(secret.toLowerCase());
    // Ada's sealed secret copied onto Bob's record does not open for Bob: his sign-in cannot
    // complete with Ada's codes.
    await auth.storage.mfa.setPendingSecret(bob.user.id, stored?.totpSecret as string, new Date());
    const swapped = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie: bob.cookie,
      body: {
        code: new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
          timestamp: clock.now(),
        }),
      },
    });
    expect(swapped.status).toBe(401);
  });
});

describe("turning MFA on", () => {
  it("needs the code of the pending secret, and returns 10 recovery codes", async () => {
    const { auth, clock, events } = setup();
    const { cookie, user } = await verifiedAccount(auth);
    const noSetup = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie,
      body: { code: "123456" },
    });
    expect(noSetup.status).toBe(400);
    const { uri } = (await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).json as {
      uri: string;
    };
    const app = authenticatorApp(uri, clock);
    const wrong = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie,
      body: { code: app.code(5) },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json?.error.code).toBe("mfa_invalid");
    expect(events.some((event) => event.type === "mfa.enabled")).toBe(false);
    const enabled = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie,
      body: { code: app.code() },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.json?.recoveryCodes).toHaveLength(10);
    expect(events.find((event) => event.type === "mfa.enabled")).toMatchObject({
      userId: user.id,
    });
    // The code that turned MFA on cannot sign in: it is spent.
    const pending = pendingCookie((await login(auth)).response);
    const replay = await call(auth, "POST", "/auth/mfa/verify", {
      cookie: pending,
      body: { code: app.code() },
    });
    expect(replay.status).toBe(401);
  });

  it("needs a fresh session too (or the password beside the code)", async () => {
    const { auth, clock } = setup();
    const { cookie } = await verifiedAccount(auth);
    const { uri } = (await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).json as {
      uri: string;
    };
    const app = authenticatorApp(uri, clock);
    clock.advance(FRESH_AGE + 1);
    const stale = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie,
      body: { code: app.code() },
    });
    expect(stale.status).toBe(403);
    expect(stale.json?.error.code).toBe("reauthentication_required");
    const proven = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie,
      body: { code: app.code(), currentPassword: PASSWORD },
    });
    expect(proven.status).toBe(200);
  });

  it("confirms only the newest set-up: a new one replaces an unconfirmed one", async () => {
    const { auth, clock } = setup();
    const { cookie } = await verifiedAccount(auth);
    const first = (await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).json?.uri;
    const second = (await call(auth, "POST", "/auth/mfa/totp/setup", { cookie })).json?.uri;
    const enableWith = (uri: string) =>
      call(auth, "POST", "/auth/mfa/totp/enable", {
        cookie,
        body: { code: authenticatorApp(uri, clock).code() },
      });
    expect((await enableWith(first)).status).toBe(401);
    expect((await enableWith(second)).status).toBe(200);
  });

  it("moves to a new authenticator: the old one works until the new one is confirmed", async () => {
    const { auth, code: oldCode, account, clock, login: mfaLogin, verify } = await mfaSetup();
    // With MFA on, a stale session proves itself with a code for the set-up.
    clock.advance(FRESH_AGE + 1);
    const setupAgain = await call(auth, "POST", "/auth/mfa/totp/setup", {
      cookie: account.cookie,
      body: { code: oldCode() },
    });
    expect(setupAgain.status).toBe(200);
    const next = authenticatorApp(setupAgain.json?.uri, clock);
    clock.advance(30);
    expect(
      (await verify(pendingCookie((await mfaLogin()).response), { code: oldCode() })).status,
    ).toBe(200);
    clock.advance(30);
    const moved = await call(auth, "POST", "/auth/mfa/totp/enable", {
      cookie: account.cookie,
      body: { code: next.code(), currentPassword: PASSWORD },
    });
    expect(moved.status).toBe(200);
    clock.advance(30);
    const pending = pendingCookie((await mfaLogin()).response);
    expect((await verify(pending, { code: oldCode() })).status).toBe(401);
    expect((await verify(pending, { code: next.code() })).status).toBe(200);
  });
});

describe("turning MFA off", () => {
  it("needs a valid code or recovery code, then sign-in is one factor again", async () => {
    const { auth, account, user, code, recoveryCodes } = await mfaSetup();
    const events: AuthEvent[] = [];
    auth.on("*", (event) => {
      events.push(event);
    });
    const disable = (body: unknown) =>
      call(auth, "POST", "/auth/mfa/disable", { cookie: account.cookie, body });
    expect((await disable({})).status).toBe(400);
    const wrong = await disable({ code: "000000" });
    expect(wrong.status).toBe(401);
    expect((await disable({ recoveryCode: "zzzzz-zzzzz" })).status).toBe(401);
    // A pending sign-in step, started before MFA goes off, dies with it.
    const pending = pendingCookie((await login(auth)).response);
    expect((await disable({ recoveryCode: recoveryCodes[0] })).status).toBe(204);
    expect(events.find((event) => event.type === "mfa.disabled")).toMatchObject({
      userId: user.id,
      by: "user",
    });
    expect(await auth.storage.mfa.get(user.id)).toBeNull();
    const direct = await login(auth);
    expect(direct.json?.user.id).toBe(user.id);
    const stale = await call(auth, "POST", "/auth/mfa/verify", {
      cookie: pending,
      body: { code: code() },
    });
    expect(stale.status).toBe(401);
    expect((await disable({ code: code() })).status).toBe(400);
  });

  it("is not possible with the session alone, however fresh", async () => {
    const { auth, account } = await mfaSetup();
    const refused = await call(auth, "POST", "/auth/mfa/disable", {
      cookie: account.cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(refused.status).toBe(400);
    expect((await call(auth, "GET", "/auth/mfa", { cookie: account.cookie })).json?.enabled).toBe(
      true,
    );
  });
});

describe("an operator resetting a user's MFA", () => {
  it("turns it off, clears the lockout, and the audit log records it as by admin", async () => {
    const { auth, user, login: mfaLogin } = await mfaSetup();
    for (let i = 0; i < 5; i++) await mfaLogin("wrong guess!!");
    expect((await mfaLogin()).status).toBe(429);
    expect(await auth.api.admin.resetMfa(user.id)).toBe(true);
    const direct = await mfaLogin();
    expect(direct.status).toBe(200);
    expect(direct.json?.user.id).toBe(user.id);
    const { events } = await auth.api.admin.listAuditEvents({ type: "mfa.disabled" });
    expect(events).toEqual([expect.objectContaining({ userId: user.id, by: "admin" })]);
    expect(await auth.api.admin.resetMfa(user.id)).toBe(false);
    await expect(auth.api.admin.resetMfa("nobody")).rejects.toMatchObject({ code: "not_found" });
  });

  it("is DELETE /auth/admin/users/:id/mfa over HTTP, admin only, and getUser shows the state", async () => {
    const token = "admin-token-for-tests-0123456789-abcdef";
    const { auth, user, login: mfaLogin } = await mfaSetup({ admin: { token } });
    const path = `/auth/admin/users/${user.id}/mfa`;
    expect((await call(auth, "DELETE", path, { bearer: "not-the-admin-token" })).status).toBe(401);
    expect((await mfaLogin()).json?.mfaRequired).toBe(true);
    const details = await call(auth, "GET", `/auth/admin/users/${user.id}`, { bearer: token });
    expect(details.json?.mfaEnabled).toBe(true);
    const reset = await call(auth, "DELETE", path, { bearer: token });
    expect(reset.status).toBe(200);
    expect(reset.json).toEqual({ reset: true });
    expect((await mfaLogin()).json?.user?.id).toBe(user.id);
    const after = await call(auth, "GET", `/auth/admin/users/${user.id}`, { bearer: token });
    expect(after.json?.mfaEnabled).toBe(false);
    expect((await call(auth, "DELETE", path, { bearer: token })).json).toEqual({ reset: false });
  });
});

describe("deleting a user", () => {
  for (const [name, storage] of [
    ["memory", undefined],
    ["SQLite", () => sqliteStorage({ database: new Database(":memory:") })],
  ] as const) {
    it(`deletes its second factor too (${name})`, async () => {
      const clock = manualClock();
      const auth = makeAuth({ clock, ...(storage ? { storage: storage() } : {}) });
      const { cookie, user } = await registered(auth);
      await enableMfa(auth, clock, cookie);
      expect((await auth.storage.mfa.get(user.id))?.totpSecret).toBeTruthy();
      await auth.api.deleteAccount(user.id);
      expect(await auth.storage.mfa.get(user.id)).toBeNull();
    });
  }
});
