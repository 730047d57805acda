import { describe, expect, it } from "vitest";
import type { AuthEvent } from "../../src/index.js";
import { call, PASSWORD } from "../helpers.js";
import { mfaSetup, pendingCookie } from "./helpers.js";

/*
 * Wrong second factors are failed sign-ins: they feed the account's consecutive-failure count
 * and its locks (rateLimit.loginFailures: 5 free attempts by default, then locks that double),
 * and a locked account takes no code at all. A correct first factor does not clear the count
 * while the second is pending, or whoever knows the password could reset it between guesses at
 * the code; only a completed sign-in clears it (DESIGN §7).
 */

describe("second-factor guesses and the account lockout", () => {
  it("count as failures: the 5th wrong code locks the account, the password and codes alike", async () => {
    const { auth, code, login, verify } = await mfaSetup();
    const early = pendingCookie((await login()).response);
    const events: AuthEvent[] = [];
    auth.on("*", (event) => {
      events.push(event);
    });
    for (let i = 0; i < 5; i++) {
      const pending = pendingCookie((await login()).response);
      expect((await verify(pending, { code: "000000" })).status).toBe(401);
    }
    expect(events.filter((event) => event.type === "user.sign_in_failed")).toHaveLength(5);
    expect(events.find((event) => event.type === "user.sign_in_failed")).toMatchObject({
      method: "mfa",
      reason: "wrong_second_factor",
    });
    expect(events.some((event) => event.type === "user.locked_out")).toBe(true);
    // Locked: the password is refused, and so is the right code on a pending step taken before.
    expect((await login()).status).toBe(429);
    expect((await verify(early, { code: code() })).status).toBe(429);
  });

  it("are not forgiven by a correct password while the code is pending", async () => {
    const { clock, code, login, verify } = await mfaSetup();
    for (let i = 0; i < 4; i++) expect((await login("wrong guess!!")).status).toBe(401);
    // The right password: for an account without MFA this would clear the count.
    const pending = pendingCookie((await login()).response);
    // One wrong code is the 5th consecutive failure: locked.
    expect((await verify(pending, { code: "000000" })).status).toBe(401);
    expect((await login()).status).toBe(429);
    expect((await verify(pending, { code: code() })).status).toBe(429);
    clock.advance(31);
    // After the lock, the pending step (still alive) completes, and that clears the count.
    expect((await verify(pending, { code: code() })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login("wrong guess!!")).status).toBe(401);
    expect((await login()).status).toBe(200);
  });

  it("lock the right code out too once the account is locked", async () => {
    const { clock, code, login, verify } = await mfaSetup();
    const pending = pendingCookie((await login()).response);
    for (let i = 0; i < 5; i++) await login("wrong guess!!");
    const locked = await verify(pending, { code: code() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Refused by the lock, not a guess: the pending step is handed back untouched.
    clock.advance(31);
    expect((await verify(pending, { code: code() })).status).toBe(200);
  });

  it("the password alone never clears the count for an account with MFA, even at step-up", async () => {
    const { auth, account, login } = await mfaSetup();
    for (let i = 0; i < 4; i++) await login("wrong guess!!");
    // A correct current password at step-up: half the sign-in, so the count stays.
    const stepUp = await call(auth, "POST", "/auth/sessions/revoke-others", {
      cookie: account.cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(stepUp.status).toBe(204);
    expect((await login("wrong guess!!")).status).toBe(401);
    expect((await login()).status).toBe(429);
  });
});
