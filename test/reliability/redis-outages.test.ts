/**
 * Every way a Redis server can be "not there for us", produced for real on a throwaway
 * redis-server (its own port; the shared server is never touched): each is an honest 503
 * `unavailable` with `Retry-After`, never a 500, and the same client serves again once the
 * cause is gone. A reply that is a bug (a broken script) stays a bug.
 */
import Database from "better-sqlite3";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { script } from "../../adapters/redis/client.js";
import { isRedisUnavailable } from "../../adapters/redis/errors.js";
import { redisStorage } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { isAuthError } from "../../src/index.js";
import { freePort } from "../faults/free-port.js";
import {
  redisServerAvailable,
  type ThrowawayRedis,
  throwawayRedis,
} from "../faults/redis-server.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { expectUnavailableEverywhere, recorder } from "./outage-probe.js";

const present = await redisServerAvailable("the Redis outage tests");
const PASSWORD_OF_REDIS = "redis-secret";

describe.skipIf(!present)("Redis outages are 503 everywhere, never 500", () => {
  let server: ThrowawayRedis;
  const clients: Redis[] = [];

  /** A client configured as the README recommends, with a short command timeout for speed. */
  function client(options: RedisOptions = {}): Redis {
    const redis = new Redis(server.url, {
      password: PASSWORD_OF_REDIS,
      maxRetriesPerRequest: 1,
      commandTimeout: 300,
      retryStrategy: (times) => Math.min(times * 50, 300),
      ...options,
    });
    redis.on("error", () => {});
    clients.push(redis);
    return redis;
  }

  /** Accounts in SQLite, sessions, limits and single-use tokens in Redis. */
  function instance(redis = client()) {
    const log = recorder();
    const auth = makeAuth({
      storage: {
        ...sqliteStorage({ database: new Database(":memory:") }),
        ...redisStorage(redis, { prefix: `outage-${Math.random().toString(36).slice(2)}:` }),
      },
      logger: log.logger,
      rateLimit: { perIP: { max: 10_000 } },
    });
    return { auth, log, redis };
  }

  async function signedIn(auth: ReturnType<typeof makeAuth>) {
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    return sessionCookieFrom(registered.response);
  }

  /** The superuser's connection, for CONFIG, REPLICAOF, SCRIPT KILL. */
  const admin = () => client({ commandTimeout: 5000 });

  beforeAll(async () => {
    server = await throwawayRedis({
      args: ["--requirepass", PASSWORD_OF_REDIS, "--busy-reply-threshold", "50"],
      password: PASSWORD_OF_REDIS,
    });
  });
  afterAll(async () => {
    for (const each of clients) each.disconnect();
    await server?.destroy();
  });

  it("no password where the server wants one (NOAUTH), or a wrong one (WRONGPASS)", async () => {
    for (const password of [undefined, "not-the-password"]) {
      const { auth, log } = instance(client({ password }));
      await expectUnavailableEverywhere(auth, log);
      const replies = log.records.map((record) => String((record.fields.err as Error)?.message));
      expect(replies.some((reply) => /^(NOAUTH|WRONGPASS)/.test(reply))).toBe(true);
    }
  });

  it("a server out of memory under noeviction (OOM): writes answer 503", async () => {
    const { auth, log } = instance();
    const cookie = await signedIn(auth);
    const config = admin();
    await config.config("SET", "maxmemory-policy", "noeviction");
    await config.config("SET", "maxmemory", "1");
    try {
      await expectUnavailableEverywhere(auth, log, { readiness: false });
      expect(
        log.records.some((record) => /^OOM/.test(String((record.fields.err as Error)?.message))),
      ).toBe(true);
    } finally {
      await config.config("SET", "maxmemory", "0");
    }
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });

  it("a server turned replica, as after a failover (READONLY): writes answer 503", async () => {
    const { auth, log } = instance();
    const cookie = await signedIn(auth);
    const config = admin();
    await config.replicaof("127.0.0.1", await freePort());
    try {
      const login = await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: PASSWORD },
      });
      expect(login.status).toBe(503);
      expect(login.headers.get("retry-after")).toBe("5");
      expect(
        log.records.some((record) =>
          /^READONLY/.test(String((record.fields.err as Error)?.message)),
        ),
      ).toBe(true);
    } finally {
      await config.replicaof("NO", "ONE");
    }
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });

  it("a server stuck in a long script (BUSY): 503 everywhere, readiness included", async () => {
    const { auth, log } = instance();
    const cookie = await signedIn(auth);
    // Connected before the script starts: once it runs, a new connection's handshake is BUSY too.
    const control = admin();
    await control.ping();
    const stuck = client({ commandTimeout: 30_000 });
    const running = stuck.eval("while true do end", 0).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      await expectUnavailableEverywhere(auth, log, { cookie });
      expect(
        log.records.some((record) => /^BUSY/.test(String((record.fields.err as Error)?.message))),
      ).toBe(true);
    } finally {
      await control.script("KILL");
      await running;
    }
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });

  it('a server that stops answering (CLIENT PAUSE): "Command timed out" is 503', async () => {
    const { auth, log } = instance();
    const cookie = await signedIn(auth);
    await admin().client("PAUSE", 2500, "ALL");
    await expectUnavailableEverywhere(auth, log, { cookie });
    expect(
      log.records.some((record) =>
        /timed out/i.test(String((record.fields.err as Error)?.message)),
      ),
    ).toBe(true);
    let session = await call(auth, "GET", "/auth/session", { cookie });
    for (let i = 0; i < 60 && session.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      session = await call(auth, "GET", "/auth/session", { cookie });
    }
    expect(session.status).toBe(200);
  });

  it("a server that is gone (Connection is closed, retries spent): 503, then back by itself", async () => {
    const { auth, log } = instance();
    const cookie = await signedIn(auth);
    await server.kill();
    try {
      await expectUnavailableEverywhere(auth, log, { cookie });
    } finally {
      await server.start();
    }
    let session = await call(auth, "GET", "/auth/session", { cookie });
    for (let i = 0; i < 40 && session.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      session = await call(auth, "GET", "/auth/session", { cookie });
    }
    // The server kept nothing (no persistence): the session is gone, and that is a plain 401.
    expect(session.status).toBe(401);
  });

  it("a reply that is a bug (a broken script) stays a bug", async () => {
    const broken = script("return redis.call('NO_SUCH_COMMAND')");
    const error = await broken(client(), [], []).catch((failure: unknown) => failure);
    expect((error as Error).name).toBe("ReplyError");
    expect(isAuthError(error)).toBe(false);
    expect(isRedisUnavailable(error)).toBe(false);
    expect(isRedisUnavailable(new TypeError("x is not a function"))).toBe(false);
  });
});
