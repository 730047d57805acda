// What password hashing does to everyone else's latency.
//
// For each hasher, a server in its own process serves a session-guarded route at a fixed
// 1,000 req/s (autocannon in a process of its own, pinned to the load core by
// bench/lib/pinned.mjs; latencies corrected for coordinated omission), first alone, then while
// real logins (POST /auth/login, a full password verification each) stream in at 2 per second.
// The table compares the guarded route's p99 in both phases.
//
//   npm run build && node bench/hashing.mjs
//
// Uses the built package (dist/index.js, dist/node.js); set PORTCULLIS_DIST to use another build.
// BENCH_SECONDS (default 5) sets each phase's length; the whole run takes under a minute.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  firstMessage,
  forkOn,
  LOAD_CORE,
  load as loadOnItsCore,
  machine,
  pinSelf,
} from "./lib/pinned.mjs";

const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../dist/", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = 1000;
const LOGINS_PER_SECOND = 2;
const EMAIL = "bench@example.com";
const PASSWORD = "correct horse battery staple";
const BASE_URL = "http://localhost:3000";

const HASHERS = {
  "pbkdf2() (WebCrypto)": async () => (await core()).pbkdf2(),
  "nativeArgon2id()": async () => (await node()).nativeArgon2id(),
  "workerPoolHasher()": async () => (await node()).workerPoolHasher(),
  "argon2id() (@noble, main thread)": async () => (await core()).argon2id(),
};

const core = () => import(pathToFileURL(`${DIST}/index.js`).href);
const node = () => import(pathToFileURL(`${DIST}/node.js`).href);

if (process.argv[2] === "--serve") await serve(process.argv[3]);
else await main();

async function main() {
  if (!existsSync(`${DIST}/index.js`)) {
    console.error(`No build at ${DIST}: run \`npm run build\` first.`);
    process.exit(1);
  }
  pinSelf();
  const about = machine(`server not pinned, load generator on core ${LOAD_CORE}`);
  const rows = [];
  for (const name of Object.keys(HASHERS)) {
    if (name.startsWith("native") || name.startsWith("worker")) {
      if (!existsSync(`${DIST}/node.js`)) {
        rows.push({ hasher: name, note: "skipped: no dist/node.js (portcullis/node not built)" });
        continue;
      }
    }
    rows.push(await measure(name));
  }
  printTable(rows, about);
}

/** Runs one hasher's server in a child process, so the load generator never shares its thread. */
async function measure(name) {
  // Not pinned: the hashers' own threads (libuv's pool, native Argon2's, the worker pool) may
  // use every core, as in a deployment; what this measures is the main thread's latency.
  const child = forkOn(null, fileURLToPath(import.meta.url), ["--serve", name]);
  try {
    const { port, cookie } = await firstMessage(child, `the server for ${name}`);
    const target = { url: `http://127.0.0.1:${port}/guarded`, headers: { cookie } };
    await login(port); // warm up the hasher (workers started, modules loaded)
    await load(target, 1);

    const idle = await load(target, SECONDS);
    const logins = streamLogins(port);
    const busy = await load(target, SECONDS);
    const done = await logins.stop();
    return {
      hasher: name,
      idle: idle.latency.p99,
      busy: busy.latency.p99,
      logins: done,
      errors: idle.non2xx + idle.errors + busy.non2xx + busy.errors,
    };
  } finally {
    child.kill();
  }
}

function load(target, duration) {
  return loadOnItsCore(target, { duration, overallRate: RATE, connections: 50 });
}

/** Fires a login every 1/LOGINS_PER_SECOND s without waiting for the last: arrivals, not a loop. */
function streamLogins(port) {
  const pending = [];
  let succeeded = 0;
  const timer = setInterval(() => {
    pending.push(login(port).then((ok) => ok && succeeded++));
  }, 1000 / LOGINS_PER_SECOND);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return succeeded;
    },
  };
}

async function login(port) {
  const response = await fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: BASE_URL },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  await response.arrayBuffer();
  return response.ok;
}

function printTable(rows, about) {
  const ms = (value) => (value === undefined ? "" : `${value.toFixed(0)} ms`);
  console.log(`\nguarded route at ${RATE} req/s, p99 latency, ${SECONDS} s per phase`);
  console.log(`${about}\n`);
  const header = ["hasher", "p99 idle", "p99 with 2 logins/s", "ratio", "logins ok", "errors"];
  const lines = rows.map((row) =>
    row.note
      ? [row.hasher, row.note, "", "", "", ""]
      : [
          row.hasher,
          ms(row.idle),
          ms(row.busy),
          `${(row.busy / Math.max(row.idle, 1)).toFixed(1)}x (target 1.5x: ${row.busy / Math.max(row.idle, 1) <= 1.5 ? "meets" : "MISSES"})`,
          String(row.logins),
          String(row.errors),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

// ---- the server (child process) ---------------------------------------------------------------

async function serve(name) {
  const { createAuth, memoryStorage } = await core();
  const auth = createAuth({
    baseURL: BASE_URL,
    secret: "bench-secret-bench-secret-bench-secret!",
    storage: memoryStorage(),
    passwordHasher: await HASHERS[name](),
    // The bench logs in ~30 times a minute from one address; the limiter is not what it measures.
    rateLimit: { perIP: { max: 1_000_000, window: 60 } },
  });
  const { token } = await auth.api.register({ email: EMAIL, password: PASSWORD });

  const server = createServer(async (req, res) => {
    try {
      if (req.url === "/guarded") {
        // The cheap route: a session check and a tiny JSON body.
        const signedIn = await auth.authenticate(req.headers);
        res.writeHead(signedIn ? 200 : 401, { "content-type": "application/json" });
        res.end(JSON.stringify({ user: signedIn?.user.id ?? null }));
        return;
      }
      const response = await auth.handler(await toRequest(req), {
        clientIP: req.socket.remoteAddress,
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      console.error(error);
      res.writeHead(500).end();
    }
  });
  server.listen(0, "127.0.0.1", () => {
    process.send({ port: server.address().port, cookie: `${auth.config.cookieName}=${token}` });
  });
}

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url, BASE_URL), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}
