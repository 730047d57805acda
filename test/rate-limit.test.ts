import { describe, expect, it } from "vitest";
import { call, makeAuth, manualClock, PASSWORD, registered } from "./helpers.js";

const login = (email: string, password: string, clientIP?: string) => ({
  body: { email, password },
  ...(clientIP ? { clientIP } : {}),
});

describe("per-account login limit", () => {
  it("locks after the free attempts with 429 and Retry-After, even for the right password", async () => {
    const clock = manualClock();
    const auth = makeAuth({ clock });
    await registered(auth);
    for (let i = 0; i < 5; i++) {
      expect(
        (await call(auth, "POST", "/auth/login", login("ada@example.com", "wrong guess!!"))).status,
      ).toBe(401);
    }
    const locked = await call(auth, "POST", "/auth/login", login("ada@example.com", PASSWORD));
    expect(locked.status).toBe(429);
    expect(locked.json?.error.code).toBe("rate_limited");
    expect(Number(locked.headers.get("retry-after"))).toBe(30);
    clock.advance(31);
    expect(
      (await call(auth, "POST", "/auth/login", login("ada@example.com", PASSWORD))).status,
    ).toBe(200);
  });

  it("doubles the lock with each further failure", async () => {
    const clock = manualClock();
    const auth = makeAuth({ clock });
    await registered(auth);
    const retryAfters: number[] = [];
    for (let i = 0; i < 8; i++) {
      const attempt = await call(
        auth,
        "POST",
        "/auth/login",
        login("ada@example.com", "wrong guess!!"),
      );
      if (attempt.status === 401) continue;
      const after = Number(attempt.headers.get("retry-after"));
      retryAfters.push(after);
      clock.advance(after + 1);
      expect(
        (await call(auth, "POST", "/auth/login", login("ada@example.com", "wrong guess!!"))).status,
      ).toBe(401);
    }
    expect(retryAfters.slice(0, 3)).toEqual([30, 60, 120]);
  });

  it("treats unknown accounts exactly like real ones, so a 429 reveals nothing", async () => {
    const auth = makeAuth();
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        (await call(auth, "POST", "/auth/login", login("nobody@example.com", "wrong guess!!")))
          .status,
      );
    }
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("verifies against a dummy hash when the account does not exist (equal work, equal time)", async () => {
    let verifications = 0;
    const { fastHasher } = await import("./helpers.js");
    const counting = {
      ...fastHasher,
      id: fastHasher.id,
      hash: (p: string) => fastHasher.hash(p),
      needsRehash: (h: string) => fastHasher.needsRehash(h),
      async verify(hash: string, password: string) {
        verifications++;
        return fastHasher.verify(hash, password);
      },
    };
    const auth = makeAuth({ passwordHasher: counting });
    await registered(auth);
    await call(auth, "POST", "/auth/login", login("ada@example.com", "wrong guess!!"));
    expect(verifications).toBe(1);
    await call(auth, "POST", "/auth/login", login("nobody@example.com", "wrong guess!!"));
    expect(verifications).toBe(2);
  });
});

describe("per-IP limits", () => {
  it("limit credential endpoints per client IP when the IP is known", async () => {
    const auth = makeAuth({ rateLimit: { perIP: { max: 3, window: 60 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await call(
            auth,
            "POST",
            "/auth/login",
            login(`u${i}@example.com`, "wrong guess!!", "203.0.113.9"),
          )
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const otherIP = await call(
      auth,
      "POST",
      "/auth/login",
      login("u9@example.com", "wrong guess!!", "203.0.113.10"),
    );
    expect(otherIP.status).toBe(401);
  });

  it("ignores X-Forwarded-For from an untrusted peer and uses it behind a trusted proxy", async () => {
    const auth = makeAuth({
      rateLimit: { perIP: { max: 1, window: 60 } },
      trustedProxies: ["10.0.0.0/8"],
    });
    const spoof = (forwarded: string, peer: string) =>
      call(auth, "POST", "/auth/login", {
        ...login("x@example.com", "wrong guess!!", peer),
        headers: { "x-forwarded-for": forwarded },
      });
    // An untrusted peer's header is ignored: the limit keys on the peer.
    expect((await spoof("198.51.100.1", "203.0.113.5")).status).toBe(401);
    expect((await spoof("198.51.100.2", "203.0.113.5")).status).toBe(429);
    // Behind the trusted proxy, each forwarded client has its own limit.
    expect((await spoof("198.51.100.3", "10.1.2.3")).status).toBe(401);
    expect((await spoof("198.51.100.4", "10.1.2.3")).status).toBe(401);
    expect((await spoof("198.51.100.4", "10.1.2.3")).status).toBe(429);
  });
});
