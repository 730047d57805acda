import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStorage } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { redisClient } from "../storage/services.js";
import { redisServerAvailable, throwawayRedis } from "./redis-server.js";

const present = await redisServerAvailable("Redis fault tests");

describe.skipIf(!present)("Redis goes away mid-run", () => {
  let server: Awaited<ReturnType<typeof throwawayRedis>>;
  let redis: ReturnType<typeof redisClient>;
  let auth: ReturnType<typeof makeAuth>;
  const ip = "198.51.100.20";

  beforeAll(async () => {
    server = await throwawayRedis();
    redis = redisClient(server.url);
    auth = makeAuth({
      storage: {
        ...sqliteStorage({ database: new Database(":memory:") }),
        ...redisStorage(redis, { prefix: "fault:" }),
      },
    });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  it("is not ready while it answers but refuses writes (maxmemory reached), and ready again after", async () => {
    // The client connects in the background: readiness starts from "ok".
    let ready = await call(auth, "GET", "/auth/ready");
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await call(auth, "GET", "/auth/ready");
    }
    expect(ready.json).toEqual({ status: "ok" });
    await redis.config("SET", "maxmemory", "1");
    try {
      // PING still answers: only a write shows it.
      expect(await redis.ping()).toBe("PONG");
      const refused = await call(auth, "GET", "/auth/ready");
      expect(refused.status).toBe(503);
      expect(refused.json?.reason).toMatch(/^Redis answers but refuses writes \(OOM/);
    } finally {
      await redis.config("SET", "maxmemory", "0");
    }
    expect((await call(auth, "GET", "/auth/ready")).json).toEqual({ status: "ok" });
  });

  it("answers 503 while it is down, fails closed, half-writes nothing, and recovers by itself", async () => {
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "before@example.com", password: PASSWORD },
      clientIP: ip,
    });
    expect(registered.status).toBe(201);
    const cookie = sessionCookieFrom(registered.response);

    await server.kill();

    const session = await call(auth, "GET", "/auth/session", { cookie, clientIP: ip });
    expect(session.status).toBe(503);
    expect(session.json?.error.code).toBe("unavailable");
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect((await call(auth, "GET", "/auth/ready")).status).toBe(503);
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "before@example.com", password: PASSWORD },
      clientIP: ip,
    });
    expect(login.status).toBe(503);
    const register = await call(auth, "POST", "/auth/register", {
      body: { email: "during@example.com", password: PASSWORD },
      clientIP: ip,
    });
    expect(register.status).toBe(503);
    // The refused registration left no account behind: the counter is checked first.
    expect(await auth.storage.users.findByEmail("during@example.com")).toBeNull();

    await server.start();

    // The client reconnects in the background; the first requests after may still see it down.
    let recovered = await call(auth, "POST", "/auth/login", {
      body: { email: "before@example.com", password: PASSWORD },
      clientIP: ip,
    });
    for (let i = 0; i < 50 && recovered.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      recovered = await call(auth, "POST", "/auth/login", {
        body: { email: "before@example.com", password: PASSWORD },
        clientIP: ip,
      });
    }
    expect(recovered.status).toBe(200);
    expect((await call(auth, "GET", "/auth/ready")).status).toBe(200);
    const fresh = sessionCookieFrom(recovered.response);
    expect((await call(auth, "GET", "/auth/session", { cookie: fresh })).status).toBe(200);
    // The server kept nothing (no persistence): the old session is gone, and refused.
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
  });
});
