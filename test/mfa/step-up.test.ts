import { describe, expect, it } from "vitest";
import { call, makeAuth, manualClock, registered } from "../helpers.js";
import { mfaSetup } from "./helpers.js";

/*
 * Step-up (DESIGN §7): a sensitive change needs a session signed in within `freshAge`, or the
 * current password, or (for a user with MFA) a second factor in the request.
 */

const STALE = 10 * 60 + 1;

describe("step-up with a TOTP code", () => {
  it("makes a stale session good for a sensitive change, once per code", async () => {
    const { auth, clock, account, code } = await mfaSetup();
    clock.advance(STALE);
    const revoke = (body?: unknown) =>
      call(auth, "POST", "/auth/sessions/revoke-others", { cookie: account.cookie, body });
    const stale = await revoke();
    expect(stale.status).toBe(403);
    expect(stale.json?.error.code).toBe("reauthentication_required");
    expect(stale.json?.error.message).toContain("code from your authenticator app as code");
    const used = code();
    expect((await revoke({ code: used })).status).toBe(204);
    // The same code again is a replay.
    const replay = await revoke({ code: used });
    expect(replay.status).toBe(401);
    expect(replay.json?.error.code).toBe("mfa_invalid");
  });

  it("counts a wrong code toward the account's lockout", async () => {
    const { auth, clock, account, login } = await mfaSetup();
    clock.advance(STALE);
    for (let i = 0; i < 5; i++) {
      const wrong = await call(auth, "POST", "/auth/sessions/revoke-others", {
        cookie: account.cookie,
        body: { code: "000000" },
      });
      expect(wrong.status).toBe(401);
    }
    expect((await login()).status).toBe(429);
  });

  it("works for every sensitive change: email change, a new passkey, account deletion", async () => {
    const { auth, clock, account, code, user } = await mfaSetup();
    clock.advance(STALE);
    const change = await call(auth, "POST", "/auth/email/change", {
      cookie: account.cookie,
      body: { newEmail: "ada.new@example.com", code: code() },
    });
    expect(change.status).toBe(202);
    clock.advance(30);
    const options = await call(auth, "POST", "/auth/passkey/register/options", {
      cookie: account.cookie,
      body: { code: code() },
    });
    expect(options.status).toBe(200);
    clock.advance(30);
    const deleted = await call(auth, "DELETE", "/auth/account", {
      cookie: account.cookie,
      body: { code: code() },
    });
    expect(deleted.status).toBe(204);
    expect(await auth.storage.users.findById(user.id)).toBeNull();
  });

  it("is no proof for an account without MFA", async () => {
    const clock = manualClock();
    const auth = makeAuth({ clock });
    const { cookie } = await registered(auth);
    clock.advance(STALE);
    const refused = await call(auth, "POST", "/auth/sessions/revoke-others", {
      cookie,
      body: { code: "123456" },
    });
    expect(refused.status).toBe(403);
    expect(refused.json?.error.code).toBe("reauthentication_required");
    expect(refused.json?.error.message).toContain("no two-factor authentication");
  });
});
