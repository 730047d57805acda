/**
 * `portcullis serve` as a deployment runs it: its own process, configured by environment
 * variables, walked over HTTP. SQLite from an unmigrated file (readiness names `portcullis
 * migrate` until it is run), then PostgreSQL (a fresh schema, migrated at start) with Redis
 * sessions. Bad variables stop it at start with their name; SIGTERM lets a request in flight
 * finish and exits 0.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../adapters/cli/index.js";
import { runServe } from "../../adapters/cli/serve.js";
import { createAccessTokenVerifier, isAuthError } from "../../src/verify/index.js";
import {
  deleteKeys,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  redisClient,
  runName,
} from "../storage/services.js";
import { type Receiver, startReceiver } from "../webhooks/receiver.js";
import { browser, SECRET, type Served, serveFailure, startServe } from "./child.js";

const PASSWORD = "correct horse battery staple";
const METRICS_TOKEN = "metrics-token-for-the-serve-test";
const ADMIN_TOKEN = "admin-token-for-the-serve-test-0123456789";

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();

const quiet = { out: () => {}, err: () => {} };

/** Registers, reads the session by cookie, then gets tokens by password grant and verifies them. */
async function signUpAndGetTokens(served: Served, email: string) {
  const visitor = browser(served);
  const registered = await visitor.send("POST", "/auth/register", { email, password: PASSWORD });
  expect(registered.status, registered.text).toBe(201);
  expect(visitor.cookie).not.toBe("");
  const session = await visitor.send("GET", "/auth/session");
  expect(session.status).toBe(200);
  expect(session.json().user.email).toBe(email);

  // A server-to-server token grant: no browser, no cookie, so no Origin is needed.
  const grant = await fetch(`${served.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", username: email, password: PASSWORD }),
  });
  expect(grant.status).toBe(200);
  const tokens = (await grant.json()) as { access_token: string; token_type: string };
  expect(tokens.token_type).toBe("Bearer");

  // Another service, holding nothing but the service's URL: portcullis/verify over its JWKS.
  const verify = createAccessTokenVerifier({
    jwks: `${served.url}/auth/jwks`,
    issuer: served.origin,
    audience: served.origin,
  });
  const claims = await verify(tokens.access_token);
  expect(claims.sub).toBe(session.json().user.id);
  const [header, payload, signature] = tokens.access_token.split(".") as [string, string, string];
  const forged = `${header}.${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
  const refused = await verify(forged).catch((error: unknown) => error);
  expect(isAuthError(refused) && refused.code).toBe("token_invalid");
  return { visitor, user: session.json().user as { id: string }, tokens };
}

describe("portcullis serve refuses a bad variable at start", () => {
  it.each([
    [{ PORT: "abc" }, /^ {2}PORT: must be an integer 1-65535 \(got "abc"\)$/m],
    [{ DATABASE_URL: "mysql://x" }, /^ {2}DATABASE_URL: unsupported scheme "mysql:"/m],
    [{ BASE_URL: "nope" }, /^ {2}BASE_URL: must be an absolute http\(s\) URL/m],
    [
      { NODE_ENV: "production", BASE_URL: "https://auth.example.com" },
      /^ {2}AUTH_SECRET: required when NODE_ENV=production/m,
    ],
  ])("%o", async (env, message) => {
    let err = "";
    expect(await runServe({ err: (text) => (err += text) }, env)).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('Run "portcullis help serve"');
  });

  it("as a process: exits non-zero before listening, naming every bad variable on stderr", async () => {
    const [{ code, output }, production] = await Promise.all([
      serveFailure({ PORT: "abc", DATABASE_URL: "mysql://x", BASE_URL: "nope" }),
      serveFailure({ NODE_ENV: "production" }),
    ]);
    expect(code, output).toBe(2);
    expect(output).toMatch(/^ {2}PORT: must be an integer 1-65535 \(got "abc"\)$/m);
    expect(output).toMatch(/^ {2}DATABASE_URL: unsupported scheme "mysql:"/m);
    expect(output).toMatch(/^ {2}BASE_URL: must be an absolute http\(s\) URL/m);
    expect(output).not.toContain("listening");
    expect(production.code).toBe(2);
    expect(production.output).toMatch(/^ {2}AUTH_SECRET: required when NODE_ENV=production/m);
  });
});

describe("portcullis serve on SQLite", () => {
  let dir: string;
  let path: string;
  let served: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "portcullis-serve-"));
    path = join(dir, "auth.db");
    served = await startServe({
      DATABASE_URL: `sqlite:${path}`,
      AUTH_SECRET: SECRET,
      METRICS_TOKEN,
      ADMIN_TOKEN,
      SHUTDOWN_TIMEOUT: "5",
    });
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("is live at once, and ready only once `portcullis migrate` has run", async () => {
    for (const path of ["/liveness", "/health", "/auth/health"]) {
      const live = await fetch(`${served.url}${path}`);
      expect(live.status, path).toBe(200);
      expect(await live.json()).toEqual({ status: "ok" });
    }
    const unready = await fetch(`${served.url}/readiness`);
    expect(unready.status).toBe(503);
    expect(unready.headers.get("retry-after")).toBe("5");
    const body = (await unready.json()) as { status: string; reason: string };
    expect(body.status).toBe("unavailable");
    expect(body.reason).toContain("portcullis migrate");
    // Not migrated behind the operator's back: serve leaves the schema alone without MIGRATE.
    const visitor = browser(served);
    const early = await visitor.send("POST", "/auth/register", {
      email: "early@example.com",
      password: PASSWORD,
    });
    expect(early.status).toBe(503);

    expect(await runCli(["migrate", "--url", `sqlite:${path}`], quiet)).toBe(0);
    const ready = await fetch(`${served.url}/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok" });
  });

  it("signs up with a cookie session and issues tokens that portcullis/verify accepts", async () => {
    const { visitor } = await signUpAndGetTokens(served, "ada@example.com");
    // A state-changing cookie request from an origin that is not BASE_URL is refused (CSRF).
    const forged = await visitor.send("POST", "/auth/logout", undefined, {
      origin: "https://evil.example",
    });
    expect(forged.status).toBe(403);
    expect(forged.json().error.code).toBe("csrf_rejected");
    const logout = await visitor.send("POST", "/auth/logout");
    expect(logout.status).toBe(204);
    expect((await visitor.send("GET", "/auth/session")).status).toBe(401);
  });

  it("serves /metrics to the METRICS_TOKEN bearer only", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token-wrong-token",
      `Basic ${METRICS_TOKEN}`,
    ]) {
      const refused = await fetch(`${served.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(refused.status, authorization).toBe(401);
      expect(await refused.text()).not.toContain("portcullis_");
    }
    for (const path of ["/metrics", "/auth/metrics"]) {
      const scraped = await fetch(`${served.url}${path}`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      expect(await scraped.text()).toMatch(/^portcullis_sign_ups_total\{method="password"\} 1$/m);
    }
  });

  it("serves the admin API to the ADMIN_TOKEN bearer only", async () => {
    const refused = await fetch(`${served.url}/auth/admin/stats`, {
      headers: { authorization: "Bearer not-the-admin-token-not-the-admin-token" },
    });
    expect(refused.status).toBe(401);
    const stats = await fetch(`${served.url}/auth/admin/stats`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(stats.status).toBe(200);
    expect(JSON.stringify(await stats.json())).toContain("1");
  });

  it("answers anything outside /auth and the probes 404, in the error shape", async () => {
    for (const path of ["/", "/ready", "/auth-x", "/liveness/x", "/constructor"]) {
      const response = await fetch(`${served.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: "not_found", message: "Not found" },
      });
    }
  });

  it("on SIGTERM finishes the request in flight, refuses new connections and exits 0", async () => {
    const body = JSON.stringify({ email: "ada@example.com", password: PASSWORD });
    const slow = httpRequest({
      host: "127.0.0.1",
      port: served.port,
      method: "POST",
      path: "/auth/login",
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        origin: served.origin,
        // The server answers "100 Continue" once it has parsed the headers: proof that the
        // request is in its hands, not in a socket backlog, before the signal is sent.
        expect: "100-continue",
      },
    });
    const accepted = new Promise((resolve) => slow.once("continue", resolve));
    const answered = new Promise<{ status: number; connection: string | undefined; text: string }>(
      (resolve, reject) => {
        slow.on("error", reject);
        slow.on("response", (response) => {
          let text = "";
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              connection: response.headers.connection,
              text,
            }),
          );
        });
      },
    );
    slow.flushHeaders();
    await accepted;
    // Half the body now: the request is in flight, its handler waiting for the rest.
    slow.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    served.child.kill("SIGTERM");
    await served.waitFor("SIGTERM: shutting down");
    await expect(fetch(`${served.url}/liveness`)).rejects.toThrow();
    expect(served.child.exitCode).toBeNull();

    slow.end(body.slice(10));
    const response = await answered;
    expect(response.status, response.text).toBe(200);
    expect(JSON.parse(response.text).user.email).toBe("ada@example.com");
    expect(response.connection).toBe("close");
    expect(await served.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(served.output()).toContain("portcullis serve stopped");
  });
});

describe.skipIf(!postgresUp || !redisUp)("portcullis serve on PostgreSQL and Redis", () => {
  const schema = runName("portcullis_serve");
  const prefix = `${runName("serve")}:`;
  const redis = redisUp ? redisClient() : null;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  pool.on("error", () => {});
  let served: Served;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    served = await startServe({
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: receiver.secret,
      WEBHOOK_EVENTS: "user.registered",
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      // The same server as a "replica": the wiring is what is tested; lag is the adapter's suite.
      DATABASE_REPLICA_URL: POSTGRES_URL,
      MIGRATE: "true",
      REDIS_URL,
      REDIS_PREFIX: prefix,
      AUTH_SECRET: SECRET,
      LOG_FORMAT: "json",
      SHUTDOWN_TIMEOUT: "1",
    });
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    await receiver?.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });

  it("migrates at start with MIGRATE=true and is ready at once", async () => {
    const ready = await fetch(`${served.url}/readiness`);
    expect(ready.status).toBe(200);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".portcullis_migrations`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    // LOG_FORMAT=json: one JSON object per line, the listening line among them.
    const lines = served.output().trim().split("\n");
    const listening = lines.map((line) => JSON.parse(line)).find((record) => record.port);
    expect(listening).toMatchObject({ port: served.port, storage: "postgres + redis" });
  });

  it("keeps accounts in PostgreSQL and sessions in Redis", async () => {
    const email = "grace@example.com";
    const { user } = await signUpAndGetTokens(served, email);
    const { rows } = await pool.query(
      `SELECT id FROM "${schema}".portcullis_users WHERE email = $1`,
      [email],
    );
    expect(rows).toEqual([{ id: user.id }]);
    const { rows: sessions } = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".portcullis_sessions`,
    );
    expect(sessions[0].n).toBe(0);
    const keys = await redis?.keys(`${prefix}*`);
    expect(keys?.length).toBeGreaterThan(0);
  });

  it("sends the WEBHOOK_EVENTS to WEBHOOK_URL, signed with WEBHOOK_SECRET", async () => {
    const email = "webhook@example.com";
    await signUpAndGetTokens(served, email);
    const deadline = Date.now() + 15_000;
    const delivered = () =>
      receiver.received.find((each) => each.verified && each.body.includes(email));
    while (!delivered() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const delivery = delivered();
    // Verified by the reference Standard Webhooks library with the secret given to serve.
    expect(delivery?.verified).toBe(true);
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
      type: "user.registered",
      data: { email },
    });
    // Only the event types asked for: the sign-in that followed sent nothing.
    expect(receiver.received.every((each) => each.body.includes('"user.registered"'))).toBe(true);
  });

  it("answers /metrics 404 without METRICS_TOKEN, like /auth/metrics", async () => {
    for (const path of ["/metrics", "/auth/metrics"]) {
      const response = await fetch(`${served.url}${path}`, {
        headers: { authorization: "Bearer anything-anything-anything" },
      });
      expect(response.status, path).toBe(404);
    }
  });

  it("stops on SIGINT too, cutting a request that outlives SHUTDOWN_TIMEOUT, and exits 0", async () => {
    // Headers and a promised body that never comes: without the deadline, shutdown would wait.
    const stuck = httpRequest({
      host: "127.0.0.1",
      port: served.port,
      method: "POST",
      path: "/auth/login",
      headers: {
        "content-type": "application/json",
        "content-length": 1000,
        expect: "100-continue",
      },
    });
    const accepted = new Promise((resolve) => stuck.once("continue", resolve));
    const cut = new Promise<unknown>((resolve) => {
      stuck.on("error", resolve);
      stuck.on("response", resolve);
    });
    stuck.flushHeaders();
    await accepted;
    stuck.write("{");
    const started = Date.now();
    expect(await served.stop("SIGINT")).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await cut).toBeInstanceOf(Error);
    expect(served.output()).toContain("requests still running after SHUTDOWN_TIMEOUT (1 s)");
    expect(served.output()).toContain("portcullis serve stopped");
  });
});
