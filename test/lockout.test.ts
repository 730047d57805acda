import { describe, expect, it } from "vitest";
import { sha256Base64url } from "../src/crypto/sha256.js";
import { call, makeAuth, manualClock, PASSWORD, registered } from "./helpers.js";
import { captureMailer } from "./mail/fixtures.js";

const DAY = 24 * 60 * 60;
const NEW_PASSWORD = "a brand new passphrase";

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const clock = manualClock();
  const mailer = captureMailer();
  const auth = makeAuth({ clock, mailer, ...overrides });
  const login = (email: string, password: string) =>
    call(auth, "POST", "/auth/login", { body: { email, password } });
  /**
   * Guesses wrong `count` times, waiting out every lock before the next guess, as a patient
   * attacker would; returns the simulated seconds spent.
   */
  async function paceFailures(email: string, count: number) {
    let spent = 0;
    for (let done = 0; done < count; ) {
      const attempt = await login(email, "wrong guess!!");
      if (attempt.status === 401) {
        done++;
        continue;
      }
      expect(attempt.status).toBe(429);
      const wait = Number(attempt.headers.get("retry-after"));
      expect(wait).toBeGreaterThan(0);
      // Beyond the back-off's longest lock something else is refusing: stop pacing.
      if (wait > 3600) throw new Error(`locked for ${wait}s after ${done} failures`);
      clock.advance(wait + 1);
      spent += wait + 1;
    }
    return spent;
  }
  async function resetPassword(email: string) {
    await call(auth, "POST", "/auth/password/forgot", { body: { email } });
    await auth.api.flushOutbox();
    const mail = mailer.sent.at(-1);
    const token = new URL(mail?.url as string).searchParams.get("token");
    const reset = await call(auth, "POST", "/auth/password/reset", {
      body: { token, password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
  }
  return { auth, clock, login, paceFailures, resetPassword };
}

describe("consecutive failed sign-ins (NIST SP 800-63B: at most 100)", () => {
  it("refuses the 101st guess however the guesses were paced, the right password included", async () => {
    const { auth, clock, login, paceFailures } = setup();
    await registered(auth);
    const spent = await paceFailures("ada@example.com", 100);
    // Waiting out every back-off lock took days, not the old one-hour window.
    expect(spent).toBeGreaterThan(3 * DAY);
    const refused = await login("ada@example.com", PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.json?.error.code).toBe("rate_limited");
    // Refused until the count is forgotten (30 days from the 100th failure), not for an hour.
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(29 * DAY);
    clock.advance(2 * DAY);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(429);
    clock.advance(retryAfter - 2 * DAY + 1);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(200);
  });

  it("counts failures across days without a success, not per hour", async () => {
    const { auth, clock, login } = setup();
    await registered(auth);
    for (let day = 0; day < 5; day++) {
      expect((await login("ada@example.com", "wrong guess!!")).status).toBe(401);
      clock.advance(DAY);
    }
    // One failure a day for five days, then a sixth: locked as the sixth failure in a row
    // (twice the first lock), where a per-hour count would have seen only one.
    expect((await login("ada@example.com", "wrong guess!!")).status).toBe(401);
    const locked = await login("ada@example.com", PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBe(60);
  });

  it("starts counting again after a successful sign-in", async () => {
    const { auth, clock, login, paceFailures } = setup();
    await registered(auth);
    await paceFailures("ada@example.com", 99);
    clock.advance(3600);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(200);
    await paceFailures("ada@example.com", 99);
    clock.advance(3600);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(200);
  });

  it("lifts the lock past the cap with a password reset", async () => {
    const { auth, login, paceFailures, resetPassword } = setup();
    await registered(auth);
    await paceFailures("ada@example.com", 100);
    expect((await login("ada@example.com", PASSWORD)).status).toBe(429);
    await resetPassword("ada@example.com");
    expect((await login("ada@example.com", NEW_PASSWORD)).status).toBe(200);
    // The count starts afresh: the free attempts are free again.
    for (let i = 0; i < 4; i++) {
      expect((await login("ada@example.com", "wrong guess!!")).status).toBe(401);
    }
    expect((await login("ada@example.com", NEW_PASSWORD)).status).toBe(200);
  });

  it("locks an unknown address exactly like a real one, so a 429 reveals nothing", async () => {
    const answers = [];
    for (const email of ["ada@example.com", "nobody@example.com"]) {
      const { auth, login, paceFailures } = setup();
      await registered(auth);
      const spent = await paceFailures(email, 100);
      const refused = await login(email, "wrong guess!!");
      answers.push({
        spent,
        status: refused.status,
        body: refused.json,
        retryAfter: refused.headers.get("retry-after"),
      });
    }
    expect(answers[0]?.status).toBe(429);
    expect(answers[1]).toEqual(answers[0]);
  });

  it("refuses past the cap from the count alone, should a racing failure shorten the lock", async () => {
    const { auth, login, paceFailures } = setup();
    await registered(auth);
    await paceFailures("ada@example.com", 100);
    // As if a concurrent 99th failure had replaced the cap's lock with its own, shorter one.
    await auth.storage.rateLimits.reset(`login-lock:${sha256Base64url("ada@example.com")}`);
    const refused = await login("ada@example.com", PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(25 * DAY);
  });

  it("honours a lower rateLimit.loginFailures.maxConsecutive", async () => {
    const { auth, login, paceFailures } = setup({
      rateLimit: { loginFailures: { maxConsecutive: 10 } },
    });
    await registered(auth);
    await paceFailures("ada@example.com", 10);
    const refused = await login("ada@example.com", PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(29 * DAY);
    expect(() => makeAuth({ rateLimit: { loginFailures: { maxConsecutive: 101 } } })).toThrow(
      /maxConsecutive/,
    );
    expect(() => makeAuth({ rateLimit: { loginFailures: { window: 3600 } } })).toThrow(
      /loginFailures\.window/,
    );
  });
});
