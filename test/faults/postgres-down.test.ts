import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "../storage/services.js";
import { tcpProxy } from "./tcp-proxy.js";

const available = await postgresAvailable();

describe.skipIf(!available)("PostgreSQL connections are lost mid-run", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let pool: pg.Pool;
  let auth: ReturnType<typeof makeAuth>;
  const applicationName = `portcullis_fault_${process.pid}`;

  beforeAll(async () => {
    db = await freshPostgres();
    await migrate(db.pool, { schema: db.schema });
    const target = new URL(POSTGRES_URL);
    proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(POSTGRES_URL);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    pool = new pg.Pool({
      connectionString: viaProxy.toString(),
      application_name: applicationName,
      connectionTimeoutMillis: 1000,
      max: 4,
    });
    auth = makeAuth({ storage: postgresStorage({ pool, schema: db.schema }) });
  });
  afterAll(async () => {
    await pool?.end().catch(() => {});
    await db?.drop();
  });

  const login = () =>
    call(auth, "POST", "/auth/login", { body: { email: "pg@example.com", password: PASSWORD } });

  it("survives its connections being terminated by the server", async () => {
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "pg@example.com", password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const cookie = sessionCookieFrom(registered.response);
    await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    // Idle connections died; the pool drops them (no crash) and the next query reconnects.
    let session = await call(auth, "GET", "/auth/session", { cookie });
    if (session.status === 503) session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.status).toBe(200);
  });

  it("answers 503 while the database is unreachable, and recovers when it returns", async () => {
    const before = await login();
    expect(before.status).toBe(200);
    const cookie = sessionCookieFrom(before.response);

    await proxy.cut();

    const session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.status).toBe(503);
    expect(session.json?.error.code).toBe("unavailable");
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect((await login()).status).toBe(503);
    const register = await call(auth, "POST", "/auth/register", {
      body: { email: "pg-during@example.com", password: PASSWORD },
    });
    expect(register.status).toBe(503);

    await proxy.restore();

    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
    expect((await login()).status).toBe(200);
    // The registration refused during the outage wrote nothing.
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM "${db.schema}".portcullis_users WHERE email_key = $1`,
      ["pg-during@example.com"],
    );
    expect(rows[0].n).toBe(0);
  });
});
