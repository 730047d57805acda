/**
 * Every way a PostgreSQL database can be "not there for us", produced for real on a throwaway
 * cluster (password authentication, its own port; the shared server is never touched): each is
 * an honest 503 `unavailable` with `Retry-After` from every route, from readiness and from the
 * guards alike, never a 500, and the same pool serves again once the cause is mended. Errors
 * that are bugs stay bugs.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Hono } from "hono";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireAuth } from "../../adapters/hono/index.js";
import { postgresDriver } from "../../adapters/postgres/driver.js";
import { classifyPostgresError } from "../../adapters/postgres/errors.js";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { isAuthError } from "../../src/index.js";
import { freePort } from "../faults/free-port.js";
import {
  type PostgresCluster,
  postgresClusterAvailable,
  throwawayPostgres,
} from "../faults/postgres-cluster.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { expectUnavailableEverywhere, recorder } from "./outage-probe.js";

const available = postgresClusterAvailable("the PostgreSQL outage tests");

const APP = { user: "app", password: "app-password", database: "app" };

describe.skipIf(!available)("PostgreSQL outages are 503 everywhere, never 500", () => {
  let cluster: PostgresCluster;
  let cookie: string;
  const pools: pg.Pool[] = [];

  /** An app instance on a pool of its own: new connections, so connect-time refusals show. */
  function instance(url = cluster.url(APP), poolOptions: pg.PoolConfig = {}) {
    const pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: 2000,
      max: 4,
      ...poolOptions,
    });
    pools.push(pool);
    const log = recorder();
    const auth = makeAuth({
      storage: postgresStorage(pool),
      logger: log.logger,
      rateLimit: { perIP: { max: 10_000 } },
    });
    return { pool, auth, log };
  }

  const login = (auth: ReturnType<typeof makeAuth>) =>
    call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
      clientIP: "192.0.2.1",
    });

  beforeAll(async () => {
    cluster = await throwawayPostgres({ password: "superuser-password" });
    await cluster.sql(`CREATE ROLE ${APP.user} LOGIN PASSWORD '${APP.password}'`);
    await cluster.sql(`CREATE DATABASE ${APP.database} OWNER ${APP.user}`);
    const { pool, auth } = instance();
    await migrate(pool);
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    cookie = sessionCookieFrom(registered.response);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
    await cluster?.destroy();
  });

  /** Refusals at connect time, each made and mended with SQL as the superuser. */
  const REFUSALS: { name: string; code: string; make: string[]; mend: string[] }[] = [
    {
      name: "a database set to ALLOW_CONNECTIONS false (FATAL 55000)",
      code: "55000",
      make: [`ALTER DATABASE ${APP.database} ALLOW_CONNECTIONS false`],
      mend: [`ALTER DATABASE ${APP.database} ALLOW_CONNECTIONS true`],
    },
    {
      name: "CONNECT revoked (FATAL 42501)",
      code: "42501",
      make: [
        `REVOKE CONNECT ON DATABASE ${APP.database} FROM PUBLIC`,
        `REVOKE CONNECT ON DATABASE ${APP.database} FROM ${APP.user}`,
      ],
      mend: [`GRANT CONNECT ON DATABASE ${APP.database} TO ${APP.user}`],
    },
    {
      name: "a role that may no longer log in (FATAL 28000)",
      code: "28000",
      make: [`ALTER ROLE ${APP.user} NOLOGIN`],
      mend: [`ALTER ROLE ${APP.user} LOGIN`],
    },
    {
      name: "the role's connection limit reached (FATAL 53300)",
      code: "53300",
      make: [`ALTER ROLE ${APP.user} CONNECTION LIMIT 0`],
      mend: [`ALTER ROLE ${APP.user} CONNECTION LIMIT -1`],
    },
  ];

  it.each(REFUSALS)("$name: 503 everywhere, then the same pool recovers", async (refusal) => {
    const { auth, log } = instance();
    for (const sql of refusal.make) await cluster.sql(sql);
    try {
      await expectUnavailableEverywhere(auth, log, { cookie });
      expect(log.causes()).toContain(refusal.code);
    } finally {
      for (const sql of refusal.mend) await cluster.sql(sql);
    }
    expect((await call(auth, "GET", "/auth/ready")).status).toBe(200);
    expect((await login(auth)).status).toBe(200);
  });

  it("a wrong password (FATAL 28P01), or none where one is asked: 503 everywhere", async () => {
    const wrong = instance(cluster.url({ ...APP, password: "not-the-password" }));
    await expectUnavailableEverywhere(wrong.auth, wrong.log, { cookie });
    expect(wrong.log.causes()).toContain("28P01");

    const none = instance(cluster.url({ ...APP, password: null }));
    await expectUnavailableEverywhere(none.auth, none.log, { cookie });
  });

  it("a backend ended by pg_terminate_backend (FATAL 57P01) mid-query is unavailable", async () => {
    const { pool } = instance();
    const db = postgresDriver(pool);
    const sleeping = db.get("SELECT pg_sleep(10) AS slept").catch((error: unknown) => error);
    let ended = 0;
    for (let i = 0; i < 100 && ended === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { rowCount } = await cluster.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND query LIKE 'SELECT pg_sleep%'",
        [APP.user],
      );
      ended = rowCount ?? 0;
    }
    const error = await sleeping;
    expect(isAuthError(error) && error.code).toBe("unavailable");
    expect((error as Error).cause).toMatchObject({ code: "57P01", severity: "FATAL" });
    // The pool dropped the dead connection; the next query opens a new one.
    expect(await db.get("SELECT 1 AS ok")).toEqual({ ok: 1 });
  });

  it("a statement timeout (57014) and the client's query timeout are unavailable", async () => {
    const timedOut = postgresDriver(instance(cluster.url(APP), { statement_timeout: 50 }).pool);
    const statement = await timedOut.get("SELECT pg_sleep(1)").catch((error: unknown) => error);
    expect(isAuthError(statement) && statement.details.retryAfter).toBe(5);
    expect((statement as Error).cause).toMatchObject({ code: "57014" });

    const slow = postgresDriver(instance(cluster.url(APP), { query_timeout: 50 }).pool);
    const read = await slow.get("SELECT pg_sleep(1)").catch((error: unknown) => error);
    expect(isAuthError(read) && read.code).toBe("unavailable");
    expect((read as Error).cause).toMatchObject({ message: "Query read timeout" });
  });

  it("a read-only database, as during a failover (25006): writes answer 503, not 500", async () => {
    await cluster.sql(`ALTER DATABASE ${APP.database} SET default_transaction_read_only = on`);
    try {
      const { auth, log } = instance();
      const register = await call(auth, "POST", "/auth/register", {
        body: { email: "read-only@example.com", password: PASSWORD },
      });
      expect(register.status).toBe(503);
      expect(register.headers.get("retry-after")).toBe("5");
      expect(log.causes()).toContain("25006");
    } finally {
      await cluster.sql(`ALTER DATABASE ${APP.database} RESET default_transaction_read_only`);
    }
  });

  it("mistakes stay mistakes: a syntax error or a parameter count is not an outage", async () => {
    const db = postgresDriver(instance().pool);
    const syntax = await db.get("SELEC 1").catch((error: unknown) => error);
    expect(isAuthError(syntax)).toBe(false);
    expect(classifyPostgresError(syntax)).toBe("bug");
    // 08P01 is in the connection class, but this one is the statement's fault.
    const count = await db.get("SELECT ?::int + ?::int AS n", [1]).catch((error) => error);
    expect(count).toMatchObject({ code: "08P01" });
    expect(isAuthError(count)).toBe(false);
    // A missing table is an old schema: 503, and the message says what to run.
    const missing = await db.get("SELECT * FROM portcullis_nothing").catch((error) => error);
    expect(isAuthError(missing) && missing.message).toMatch(/run `portcullis migrate`/);
  });

  it("the guard answers 503 while the server is stopped, 200 once it is back, same app", async () => {
    const { auth, log } = instance();
    const signedIn = sessionCookieFrom((await login(auth)).response);
    const app = new Hono();
    app.get("/api/me", requireAuth(auth), (c) => c.json({ email: c.get("auth").user.email }));
    app.get("/account", requireAuth(auth, { redirectTo: "/sign-in" }), (c) => c.text("ok"));
    const guarded = (path: string) => app.request(path, { headers: { cookie: signedIn } });
    expect((await guarded("/api/me")).status).toBe(200);

    await cluster.stop("fast");
    try {
      const api = await guarded("/api/me");
      expect(api.status).toBe(503);
      expect(api.headers.get("retry-after")).toBe("5");
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe("unavailable");
      // A signed-in visitor is not sent to sign in, where the login would meet the same outage.
      const page = await guarded("/account");
      expect(page.status).toBe(503);
      expect(page.headers.get("location")).toBeNull();
      await expectUnavailableEverywhere(auth, log, { cookie: signedIn });
      expect(log.causes()).toContain("ECONNREFUSED");
    } finally {
      await cluster.start();
    }
    expect((await guarded("/api/me")).status).toBe(200);
    expect((await guarded("/account")).status).toBe(200);
    expect((await call(auth, "GET", "/auth/ready")).status).toBe(200);
  });

  it("a dropped database (FATAL 3D000): 503 everywhere until it is back and migrated", async () => {
    const { auth, log, pool } = instance();
    await cluster.sql(`DROP DATABASE ${APP.database} WITH (FORCE)`);
    try {
      await expectUnavailableEverywhere(auth, log, { cookie });
      expect(log.causes()).toContain("3D000");
    } finally {
      await cluster.sql(`CREATE DATABASE ${APP.database} OWNER ${APP.user}`);
    }
    // Back but empty: still 503, saying to migrate; then ready.
    const unmigrated = await call(auth, "GET", "/auth/ready");
    expect(unmigrated.status).toBe(503);
    expect(unmigrated.json?.reason).toMatch(/portcullis migrate/);
    await migrate(pool);
    expect((await call(auth, "GET", "/auth/ready")).status).toBe(200);
  });
});

/** A TCP server on the loopback whose connections do what `onConnection` says. */
async function fakeServer(onConnection: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://app:secret@127.0.0.1:${port}/app`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("the link to PostgreSQL failing is 503 everywhere, never 500", () => {
  const opened: { end(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((each) => each.end().catch(() => {})));
  });

  function instance(config: pg.PoolConfig) {
    const pool = new pg.Pool({ max: 2, connectionTimeoutMillis: 300, ...config });
    opened.push(pool);
    const log = recorder();
    return { auth: makeAuth({ storage: postgresStorage(pool), logger: log.logger }), log };
  }

  it("nothing listening (ECONNREFUSED)", async () => {
    const { auth, log } = instance({
      connectionString: `postgres://app@127.0.0.1:${await freePort()}/app`,
    });
    await expectUnavailableEverywhere(auth, log);
    expect(log.causes()).toContain("ECONNREFUSED");
  });

  it("a unix socket that is gone (ENOENT)", async () => {
    const { auth, log } = instance({ host: "/tmp/portcullis-no-such-socket-dir", database: "app" });
    await expectUnavailableEverywhere(auth, log);
    expect(log.causes()).toContain("ENOENT");
  });

  it('a server that hangs up at once ("Connection terminated unexpectedly")', async () => {
    const server = await fakeServer((socket) => socket.destroy());
    try {
      const { auth, log } = instance({ connectionString: server.url });
      await expectUnavailableEverywhere(auth, log);
      const messages = log.records.map((record) => String((record.fields.err as Error)?.message));
      expect(messages.some((message) => /Connection terminated/.test(message))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a server that never answers ("timeout exceeded when trying to connect")', async () => {
    const server = await fakeServer(() => {});
    try {
      const { auth, log } = instance({ connectionString: server.url });
      await expectUnavailableEverywhere(auth, log);
      const messages = log.records.map((record) => String((record.fields.err as Error)?.message));
      expect(messages.some((message) => /timeout/i.test(message))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
