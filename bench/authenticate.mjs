// What the session guard costs a route (issue 2's target: the guarded route keeps >= 0.85x of
// the bare route's throughput).
//
// One Hono server (on @hono/node-server, memory storage, in its own process so the load
// generator never shares its thread) serves GET /bare, which answers "ok", and GET /guarded,
// the same answer behind requireAuth() with a valid session cookie. autocannon drives each
// route as hard as it can, warm-up first, then the two measured runs back to back in one run.
//
//   npm run build && node bench/authenticate.mjs [--detail]
//
// --detail adds rows that split the guard's cost: GET /storage does only the two storage reads
// authenticate() makes (sessions.get, users.findById), GET /authenticate calls auth.authenticate()
// in a plain handler (the guard minus the middleware).
//
// Uses the built package (dist/index.js, dist/hono.js); PORTCULLIS_DIST points at another build.
// BENCH_SECONDS (default 5) sets each run's length; BENCH_CONNECTIONS (default 50) the load.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";

const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../dist/", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TARGET = 0.85;

if (process.argv[2] === "--serve") await serve();
else await main();

async function main() {
  for (const file of ["index.js", "hono.js"]) {
    if (!existsSync(`${DIST}/${file}`)) {
      console.error(`No ${file} in ${DIST}: run \`npm run build\` first.`);
      process.exit(1);
    }
  }
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: "inherit" });
  try {
    const { port, cookie } = await new Promise((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const bare = { url: `http://127.0.0.1:${port}/bare` };
    const guarded = { url: `http://127.0.0.1:${port}/guarded`, headers: { cookie } };

    await load(bare, 1);
    await load(guarded, 1);
    const results = { bare: await load(bare, SECONDS), guarded: await load(guarded, SECONDS) };
    if (process.argv.includes("--detail")) {
      for (const path of ["storage", "authenticate"]) {
        results[path] = await load(
          { ...guarded, url: `http://127.0.0.1:${port}/${path}` },
          SECONDS,
        );
      }
    }

    const errors = Object.values(results).reduce((n, r) => n + r.non2xx + r.errors, 0);
    if (errors > 0)
      throw new Error(`${errors} requests failed or were not 2xx: the numbers mean nothing`);
    const ratio = results.guarded.requests.average / results.bare.requests.average;
    console.log(
      `\nHono on @hono/node-server, memory storage, ${CONNECTIONS} connections, ${SECONDS} s each\n`,
    );
    for (const [name, r] of Object.entries(results)) {
      const rate = r.requests.average.toFixed(0).padStart(7);
      console.log(`${name.padEnd(12)} ${rate} req/s   p99 ${r.latency.p99} ms`);
    }
    const verdict = ratio >= TARGET ? "meets" : "MISSES";
    console.log(`\nguarded/bare = ${ratio.toFixed(2)}x (${verdict} the ${TARGET}x target)`);
  } finally {
    child.kill();
  }
}

function load(target, duration) {
  return autocannon({ ...target, duration, connections: CONNECTIONS });
}

// ---- the server (child process) ---------------------------------------------------------------

async function serve() {
  const { createAuth, memoryStorage, pbkdf2 } = await import(
    pathToFileURL(`${DIST}/index.js`).href
  );
  const { requireAuth } = await import(pathToFileURL(`${DIST}/hono.js`).href);
  const { Hono } = await import("hono");
  const { serve: listen } = await import("@hono/node-server");

  const storage = memoryStorage();
  const auth = createAuth({
    baseURL: "http://localhost:3000",
    secret: "bench-secret-that-is-at-least-32-bytes-long",
    storage,
    // Hashing is not what this measures: one sign-up, made fast.
    passwordHasher: pbkdf2({ iterations: 1_000, dangerouslyWeak: true }),
  });
  const { token, session, user } = await auth.api.register({
    email: "bench@example.com",
    password: "correct horse battery staple",
  });

  const app = new Hono();
  app.get("/bare", (c) => c.text("ok"));
  app.get("/guarded", requireAuth(auth), (c) => c.text("ok"));
  app.get("/storage", async (c) => {
    await storage.sessions.get(session.id);
    await storage.users.findById(user.id);
    return c.text("ok");
  });
  app.get("/authenticate", async (c) =>
    (await auth.authenticate(c.req.raw.headers)) ? c.text("ok") : c.text("no", 401),
  );
  listen({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
    process.send({ port: info.port, cookie: `${auth.config.cookieName}=${token}` });
  });
}
