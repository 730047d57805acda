// The servers of bench/authenticate.mjs, each run in a child process pinned to the server core.
// Every route answers "ok" (200) once its guard let the request through; each guarded route
// has its own instance, store and signed-in user, and the message to the parent carries the
// credentials the load generator sends.
import { hash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connectServices } from "./services.mjs";

const BASE_URL = "http://localhost:3000";
const SECRET = "bench-secret-that-is-at-least-32-bytes-long";
const PASSWORD = "correct horse battery staple";

async function hono() {
  const { Hono } = await import("hono");
  const { serve } = await import("@hono/node-server");
  const app = new Hono();
  app.get("/bare", (c) => c.text("ok"));
  // The floor under any guard: Hono's price for a middleware in the route (its compose path),
  // and for one that reads the credential headers and sets a variable, as every guard must.
  app.get(
    "/noop",
    (_c, next) => next(),
    (c) => c.text("ok"),
  );
  app.get(
    "/headers",
    (c, next) => {
      const { headers } = c.req.raw;
      c.set("auth", headers.get("authorization") ?? headers.get("cookie"));
      return next();
    },
    (c) => c.text("ok"),
  );
  // The floor under a session guard that keeps only its secrets' hashes: find the cookie, look
  // the id up, compare the SHA-256 of the secret. No expiry, no user, nothing copied.
  const floorId = randomBytes(16).toString("base64url");
  const floorSecret = randomBytes(32).toString("base64url");
  const floorHashes = new Map([[floorId, hash("sha256", floorSecret, "base64url")]]);
  app.get(
    "/floor",
    (c, next) => {
      const { headers } = c.req.raw;
      const cookie = headers.get("authorization") ?? headers.get("cookie") ?? "";
      const token = cookie.slice(cookie.indexOf("=") + 1);
      const dot = token.indexOf(".");
      const stored = floorHashes.get(token.slice(0, dot));
      if (stored === undefined || hash("sha256", token.slice(dot + 1), "base64url") !== stored) {
        return c.text("unauthenticated", 401);
      }
      c.set("auth", token);
      return next();
    },
    (c) => c.text("ok"),
  );
  return {
    app,
    /** Listens, then tells the parent where and with which credentials. */
    listen(routes) {
      serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
        process.send({
          port: info.port,
          routes: {
            bare: { path: "/bare" },
            noop: { path: "/noop", headers: { cookie: "session=x" } },
            headers: { path: "/headers", headers: { cookie: "session=x" } },
            floor: { path: "/floor", headers: { cookie: `session=${floorId}.${floorSecret}` } },
            ...routes,
          },
        });
      });
    },
  };
}

/** Runs `cleanup` once, on exit or when the parent kills this process. */
function atExit(cleanup) {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    await cleanup().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", once);
  process.on("SIGINT", once);
  process.on("disconnect", once);
}

export async function servePortcullis(dist) {
  const load = (name) => import(pathToFileURL(join(dist, `${name}.js`)).href);
  const { createAuth, memoryStorage, pbkdf2 } = await load("index");
  const { requireAuth } = await load("hono");
  const { sqliteStorage } = await load("sqlite");
  const { postgresStorage, migrate } = await load("postgres");
  const { redisStorage } = await load("redis");
  const { app, listen } = await hono();
  const routes = {};
  const cleanups = [];
  atExit(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const quiet = { debug() {}, info() {}, warn() {}, error: (...args) => console.error(...args) };
  let users = 0;
  async function guarded(key, storage, session, credential = "cookie") {
    const auth = createAuth({
      baseURL: BASE_URL,
      secret: SECRET,
      storage,
      session,
      logger: quiet,
      // Hashing is not what this measures: one sign-up each, made fast.
      passwordHasher: pbkdf2({ iterations: 1_000, dangerouslyWeak: true }),
      // Long enough for the whole run: an expired token would turn every request into a 401.
      tokens: { accessTokenTTL: 4 * 3600 },
    });
    const registered = await auth.api.register({
      email: `bench-${++users}@example.com`,
      password: PASSWORD,
    });
    let headers;
    if (credential === "jwt") {
      const tokens = await auth.api.issueTokensForSession({
        userId: registered.user.id,
        sessionId: registered.session.id,
      });
      headers = { authorization: `Bearer ${tokens.accessToken}` };
    } else {
      headers = { cookie: `${auth.config.cookieName}=${registered.token}` };
    }
    app.get(`/${key}`, requireAuth(auth), (c) => c.text("ok"));
    routes[key] = { path: `/${key}`, headers };
  }

  await guarded("memory", memoryStorage());
  await guarded("memory-uncached", memoryStorage(), { cache: false });
  await guarded("jwt", memoryStorage(), undefined, "jwt");
  await guarded("jwt-uncached", memoryStorage(), { cache: false }, "jwt");

  // One process, one file: the cache is on by default (its channel checks PRAGMA data_version).
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sqlite = sqliteStorage({ path: join(dir, "cached.db") });
  const sqliteUncached = sqliteStorage({ path: join(dir, "uncached.db") });
  cleanups.push(async () => {
    sqlite.close();
    sqliteUncached.close();
  });
  await guarded("sqlite", sqlite);
  await guarded("sqlite-uncached", sqliteUncached, { cache: false });

  const services = await postgresAndRedis(cleanups);
  if (typeof services === "string") {
    routes["pg-redis"] = services;
    routes["pg-redis-uncached"] = services;
  } else {
    const storage = () => ({
      ...postgresStorage({ pool: services.pool, schema: services.schema }),
      ...redisStorage(services.redis, { prefix: services.prefix }),
    });
    await guarded("pg-redis", storage());
    await guarded("pg-redis-uncached", storage(), { cache: false });
    // The cached instance serves once its channel has synced: wait for it.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  listen(routes);

  async function postgresAndRedis(cleanups) {
    const services = await connectServices({ max: 10 });
    if (typeof services === "string") return services;
    const { pool, redis } = services;
    const schema = `bench_guard_${process.pid}`;
    const prefix = `bench-guard-${process.pid}:`;
    await migrate(pool, { schema });
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    });
    return { pool, redis, schema, prefix };
  }
}

export async function serveBetterAuth() {
  const { betterAuth } = await import("better-auth");
  const { memoryAdapter } = await import("better-auth/adapters/memory");
  const { app, listen } = await hono();
  const routes = {};
  atExit(async () => {});
  for (const [key, cookieCache] of [
    ["ba-memory", false],
    ["ba-memory-cookie-cache", true],
  ]) {
    const auth = betterAuth({
      baseURL: BASE_URL,
      secret: SECRET,
      database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
      emailAndPassword: { enabled: true },
      session: { cookieCache: { enabled: cookieCache, maxAge: 5 * 60 } },
      logger: { disabled: true },
      telemetry: { enabled: false },
    });
    const { headers } = await auth.api.signUpEmail({
      body: { email: `${key}@example.com`, password: PASSWORD, name: "Bench" },
      returnHeaders: true,
    });
    const cookie = headers
      .getSetCookie()
      .map((each) => each.split(";")[0])
      .join("; ");
    // better-auth's Hono guide: getSession with the request's headers, in a middleware.
    app.get(
      `/${key}`,
      async (c, next) => {
        const session = await auth.api.getSession({ headers: c.req.raw.headers });
        if (!session) return c.text("unauthenticated", 401);
        c.set("user", session.user);
        c.set("session", session.session);
        return next();
      },
      (c) => c.text("ok"),
    );
    routes[key] = { path: `/${key}`, headers: { cookie } };
  }
  listen(routes);
}
