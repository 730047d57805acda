import { describe, expect, it } from "vitest";
import type { AuthEvent } from "../../src/index.js";
import { call, sessionCookieFrom } from "../helpers.js";
import { mfaSetup, pendingCookie, setsSession } from "./helpers.js";

describe("a sign-in with MFA on", () => {
  it("stops at the pending step, then the code from the app opens the session", async () => {
    const { auth, user, code, login, verify } = await mfaSetup();
    const first = await login();
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ mfaRequired: true });
    expect(setsSession(first.response, auth)).toBe(false);
    const pending = pendingCookie(first.response);

    const done = await verify(pending, { code: code() });
    expect(done.status).toBe(200);
    expect(done.json?.user.id).toBe(user.id);
    const session = await call(auth, "GET", "/auth/session", {
      cookie: sessionCookieFrom(done.response),
    });
    expect(session.status).toBe(200);
    expect(session.json?.user.id).toBe(user.id);
    // The pending cookie is cleared beside the new session cookie.
    const name = pending.slice(0, pending.indexOf("="));
    const cleared = done.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
    expect(cleared).toMatch(/Max-Age=0/);
  });

  it("announces the sign-in as method mfa, naming both factors", async () => {
    const { auth, code, login, verify } = await mfaSetup();
    const events: AuthEvent[] = [];
    auth.on("*", (event) => {
      events.push(event);
    });
    const first = await login();
    expect(events.filter((event) => event.type === "user.signed_in")).toEqual([]);
    await verify(pendingCookie(first.response), { code: code() });
    expect(events.find((event) => event.type === "user.signed_in")).toMatchObject({
      method: "mfa",
      firstFactor: "password",
      secondFactor: "totp",
    });
    expect(await auth.metrics()).toContain(
      'portcullis_sign_ins_total{method="mfa",outcome="success"} 1',
    );
  });

  it("accepts a code once: the same code again, and an earlier step's, are refused", async () => {
    const { clock, code, login, verify } = await mfaSetup();
    const used = code();
    expect((await verify(pendingCookie((await login()).response), { code: used })).status).toBe(
      200,
    );
    const replay = await verify(pendingCookie((await login()).response), { code: used });
    expect(replay.status).toBe(401);
    expect(replay.json?.error.code).toBe("mfa_invalid");
    // Still within the window a step later, the previous step's code is a replay too.
    clock.advance(30);
    const pending = pendingCookie((await login()).response);
    expect((await verify(pending, { code: code(-1) })).status).toBe(401);
    // The current step's code works (the pending step survived one wrong code).
    expect((await verify(pending, { code: code() })).status).toBe(200);
  });

  it("takes a code one step early or late (clock drift), not two", async () => {
    const { clock, code, login, verify } = await mfaSetup();
    for (const steps of [-2, 2]) {
      const pending = pendingCookie((await login()).response);
      const far = await verify(pending, { code: code(steps) });
      expect(far.status, `${steps} steps`).toBe(401);
    }
    clock.advance(120);
    expect((await verify(pendingCookie((await login()).response), { code: code(-1) })).status).toBe(
      200,
    );
    clock.advance(120);
    expect((await verify(pendingCookie((await login()).response), { code: code(1) })).status).toBe(
      200,
    );
  });

  it("voids the pending step after 5 wrong codes: even the right one is refused then", async () => {
    const { code, login, verify, clock } = await mfaSetup({
      rateLimit: { loginFailures: { freeAttempts: 50, maxConsecutive: 100 } },
    });
    const pending = pendingCookie((await login()).response);
    for (let i = 0; i < 5; i++) {
      const wrong = await verify(pending, { code: "000000" });
      expect(wrong.json?.error.code).toBe("mfa_invalid");
    }
    clock.advance(1);
    const late = await verify(pending, { code: code() });
    expect(late.status).toBe(401);
    expect(late.json?.error.code).toBe("token_invalid");
  });

  it("limits guesses per account, across pending steps and addresses", async () => {
    const { auth, clock, code, login, verify } = await mfaSetup({
      rateLimit: { loginFailures: { freeAttempts: 50, maxConsecutive: 100 } },
    });
    // Past the window in which turning MFA on counted one attempt.
    clock.advance(15 * 60);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const pending = pendingCookie((await login()).response);
      // Each guess from another address: the per-IP limit is not what stops them.
      const guess = await call(auth, "POST", "/auth/mfa/verify", {
        cookie: pending,
        body: { code: "000000" },
        clientIP: `198.51.100.${i + 1}`,
      });
      statuses.push(guess.status);
    }
    expect(statuses.slice(0, 10)).not.toContain(429);
    expect(statuses[10]).toBe(429);
    // The right code is refused too while the account's limit holds.
    const pending = pendingCookie((await login()).response);
    expect((await verify(pending, { code: code() })).status).toBe(429);
  });
});
