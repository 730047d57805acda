import { describe, expect, it } from "vitest";
import type { AuthEvent } from "../../src/index.js";
import { call, sessionCookieFrom } from "../helpers.js";
import { mfaSetup, pendingCookie } from "./helpers.js";

describe("recovery codes", () => {
  it("are 10, shown when MFA is turned on, and none of them is stored as such", async () => {
    const { auth, user, recoveryCodes } = await mfaSetup();
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    const stored = JSON.stringify(await auth.storage.mfa.get(user.id));
    for (const code of recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace("-", ""));
    }
  });

  it("complete a sign-in once each, telling how many remain, and emit mfa.recovery_code_used", async () => {
    const { auth, user, recoveryCodes, login, verify } = await mfaSetup();
    const events: AuthEvent[] = [];
    auth.on("*", (event) => {
      events.push(event);
    });
    const [first] = recoveryCodes as [string];
    const done = await verify(pendingCookie((await login()).response), { recoveryCode: first });
    expect(done.status).toBe(200);
    expect(done.json?.user.id).toBe(user.id);
    expect(done.json?.recoveryCodesRemaining).toBe(9);
    expect(events.find((event) => event.type === "mfa.recovery_code_used")).toMatchObject({
      userId: user.id,
      remaining: 9,
    });
    expect(events.find((event) => event.type === "user.signed_in")).toMatchObject({
      method: "mfa",
      secondFactor: "recovery_code",
    });
    const again = await verify(pendingCookie((await login()).response), { recoveryCode: first });
    expect(again.status).toBe(401);
    expect(again.json?.error.code).toBe("mfa_invalid");
    // As typed by a person: upper case, spaces instead of the dash.
    const typed = (recoveryCodes[1] as string).toUpperCase().replace("-", " ");
    const second = await verify(pendingCookie((await login()).response), { recoveryCode: typed });
    expect(second.json?.recoveryCodesRemaining).toBe(8);
    const status = await call(auth, "GET", "/auth/mfa", {
      cookie: sessionCookieFrom(second.response),
    });
    expect(status.json).toMatchObject({ enabled: true, recoveryCodesRemaining: 8 });
  });

  it("let exactly one of two concurrent uses of one code through", async () => {
    const { recoveryCodes, login, verify } = await mfaSetup();
    const code = recoveryCodes[0] as string;
    const pendings = [
      pendingCookie((await login()).response),
      pendingCookie((await login()).response),
      pendingCookie((await login()).response),
    ];
    const results = await Promise.all(
      pendings.map((pending) => verify(pending, { recoveryCode: code })),
    );
    expect(results.map((result) => result.status).sort()).toEqual([200, 401, 401]);
  });

  it("are replaced on request with a valid code: the old ones stop working", async () => {
    const { auth, account, code, recoveryCodes, login, verify, clock } = await mfaSetup();
    const events: AuthEvent[] = [];
    auth.on("mfa.recovery_codes_regenerated", (event) => void events.push(event));
    const wrong = await call(auth, "POST", "/auth/mfa/recovery-codes", {
      cookie: account.cookie,
      body: { code: "000000" },
    });
    expect(wrong.status).toBe(401);
    const fresh = await call(auth, "POST", "/auth/mfa/recovery-codes", {
      cookie: account.cookie,
      body: { code: code() },
    });
    expect(fresh.status).toBe(200);
    const next = fresh.json?.recoveryCodes as string[];
    expect(next).toHaveLength(10);
    expect(next.some((candidate) => recoveryCodes.includes(candidate))).toBe(false);
    // Only the replacement is an event, not the refused attempt; it carries no code.
    expect(events).toEqual([
      expect.objectContaining({
        type: "mfa.recovery_codes_regenerated",
        userId: account.user.id,
        count: 10,
      }),
    ]);
    for (const each of next) expect(JSON.stringify(events)).not.toContain(each);
    clock.advance(30);
    const old = await verify(pendingCookie((await login()).response), {
      recoveryCode: recoveryCodes[2],
    });
    expect(old.status).toBe(401);
    const current = await verify(pendingCookie((await login()).response), {
      recoveryCode: next[2],
    });
    expect(current.status).toBe(200);
    expect(current.json?.recoveryCodesRemaining).toBe(9);
  });

  it("refuses a body with both a code and a recovery code, or neither", async () => {
    const { recoveryCodes, code, login, verify } = await mfaSetup();
    const pending = pendingCookie((await login()).response);
    for (const body of [{ code: code(), recoveryCode: recoveryCodes[0] }, {}]) {
      const refused = await verify(pending, body);
      expect(refused.status).toBe(400);
      expect(refused.json?.error.code).toBe("invalid_request");
    }
    expect((await verify(pending, { code: code() })).status).toBe(200);
  });
});
