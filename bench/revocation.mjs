// How soon a revocation made on one instance is refused by another (issue 16's target: within
// 50 ms at p99), with two real instances: two processes, each its own PostgreSQL pool and Redis
// client, accounts in PostgreSQL and sessions in Redis, the session cache on (its invalidation
// channel is Redis pub/sub).
//
//   npm run build && node bench/revocation.mjs        (or: npm run bench -- revocation)
//
// Each iteration signs a fresh user in on A; B validates the session twice (the second answer
// comes from B's cache: checked, or the iteration does not count), then polls it, yielding to
// its event loop between checks, while A revokes it: logout, revoking the user's other
// sessions, a password reset, or an administrator disabling the user. The latency is from the
// moment A's call returned (and, second column, from when it started) to B's first refusal,
// on the machine's monotonic clock (both processes read the same one).
//
// Environment: REVOCATIONS (default 50 per kind), POSTGRES_URL, REDIS_URL, PORTCULLIS_DIST.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { firstMessage, forkOn, machine, median, printTable } from "./lib/pinned.mjs";
import { connectServices } from "./lib/services.mjs";

const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../dist/", import.meta.url));
const PER_KIND = Number(process.env.REVOCATIONS ?? 50);
const KINDS = ["logout", "revoke-others", "password-reset", "admin-disable"];
const PASSWORD = "correct horse battery staple";
const TARGET_MS = 50;

if (process.argv[2] === "--instance") await instance(process.argv[3], process.argv[4]);
else await main();

async function main() {
  if (!existsSync(`${DIST}/redis.js`)) {
    console.error(`No build at ${DIST}: run \`npm run build\` first.`);
    process.exit(1);
  }
  const about = machine("instance A on core 0, instance B on core 1");
  const run = `${process.pid}`;
  const spawn = async (name, core) => {
    const child = forkOn(core, fileURLToPath(import.meta.url), ["--instance", name, run]);
    const hello = await firstMessage(child, `instance ${name}`);
    if (hello.skip) {
      child.kill();
      return { skip: hello.skip };
    }
    return { child, ask: asker(child) };
  };
  const a = await spawn("a", 0);
  if (a.skip) {
    console.log(`revocation bench skipped: ${a.skip}`);
    return;
  }
  const b = await spawn("b", 1);
  try {
    const results = Object.fromEntries(KINDS.map((kind) => [kind, []]));
    let uncached = 0;
    for (let i = 0; i < PER_KIND; i++) {
      for (const kind of KINDS) {
        const user = await a.ask({ op: "sign-in", email: `r${i}-${kind}-${run}@example.com` });
        const watched = await b.ask({ op: "watch", token: user.token });
        if (!watched.cached) {
          uncached++;
          continue;
        }
        const refused = b.ask({ op: "await-refusal" });
        const revoked = await a.ask({ op: "revoke", kind, ...user });
        const { at } = await refused;
        results[kind].push({
          afterReturn: Number(BigInt(at) - BigInt(revoked.end)) / 1e6,
          fromStart: Number(BigInt(at) - BigInt(revoked.start)) / 1e6,
        });
      }
    }
    report(about, results, uncached);
  } finally {
    await a.ask({ op: "close" }).catch(() => {});
    a.child.kill();
    b.child.kill();
  }
}

/** Request/response over a child's IPC channel, one question at a time per op. */
function asker(child) {
  let next = 0;
  const waiting = new Map();
  child.on("message", (message) => {
    const resolve = waiting.get(message.id);
    if (!resolve) return;
    waiting.delete(message.id);
    resolve(message);
  });
  return (question) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, (answer) =>
        answer.error ? reject(new Error(answer.error)) : resolve(answer),
      );
      child.send({ ...question, id });
    });
}

function percentile(values, p) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(about, results, uncached) {
  console.log(
    `\nRevocation on instance A refused by instance B (PostgreSQL users + Redis sessions, session cache on, Redis pub/sub), ${PER_KIND} per kind`,
  );
  console.log(about);
  console.log();
  const ms = (value) => (value === undefined ? "" : value.toFixed(2));
  const rows = [];
  const all = [];
  for (const [kind, list] of Object.entries(results)) {
    const after = list.map((r) => r.afterReturn);
    const start = list.map((r) => r.fromStart);
    all.push(...after);
    rows.push([
      kind,
      String(list.length),
      ms(median(after)),
      ms(percentile(after, 99)),
      ms(Math.max(...after)),
      ms(median(start)),
      ms(percentile(start, 99)),
    ]);
  }
  printTable(
    ["revocation", "n", "p50 ms", "p99 ms", "max ms", "p50 from start", "p99 from start"],
    rows,
  );
  const p99 = percentile(all, 99);
  console.log(
    `\nall kinds: p99 ${ms(p99)} ms after A's call returned (target ${TARGET_MS} ms: ${p99 <= TARGET_MS ? "meets" : "MISSES"}); negative: B refused before A's call had returned`,
  );
  if (uncached > 0) console.log(`${uncached} iterations skipped: B had not cached the session`);
}

// ---- an instance (child process) --------------------------------------------------------------

async function instance(name, run) {
  const load = (file) => import(pathToFileURL(join(DIST, `${file}.js`)).href);
  const { createAuth, pbkdf2 } = await load("index");
  const { postgresStorage, migrate } = await load("postgres");
  const { redisStorage } = await load("redis");
  const services = await connectServices({ max: 5 });
  if (typeof services === "string") {
    process.send({ skip: services });
    return;
  }
  const { pool, redis } = services;
  const schema = `bench_revocation_${run}`;
  const prefix = `bench-revocation-${run}:`;
  // A creates the schema; B waits for it (it is told to start only once A has said hello).
  if (name === "a") await migrate(pool, { schema });
  const mail = [];
  const storage = {
    ...postgresStorage({ pool, schema }),
    ...redisStorage(redis, { prefix }),
  };
  // Counts B's session reads, in place, so that a hit can be told from a miss.
  let reads = 0;
  const get = storage.sessions.get;
  storage.sessions.get = (id) => {
    reads++;
    return get.call(storage.sessions, id);
  };
  const auth = createAuth({
    baseURL: "http://localhost:3000",
    secret: "bench-secret-that-is-at-least-32-bytes-long",
    storage,
    passwordHasher: pbkdf2({ iterations: 1_000, dangerouslyWeak: true }),
    mailer: { send: async (message) => void mail.push(message) },
    passwordReset: { enabled: true },
    rateLimit: { perIP: { max: 1_000_000 } },
    logger: { debug() {}, info() {}, warn() {}, error: (...args) => console.error(...args) },
  });
  const cookieOf = (token) => ({ cookie: `${auth.config.cookieName}=${token}` });
  const now = () => process.hrtime.bigint().toString();
  let refusal = null;

  const handlers = {
    async "sign-in"({ email }) {
      const { user } = await auth.api.register({ email, password: PASSWORD });
      const kept = await auth.api.login({ email, password: PASSWORD });
      const watched = await auth.api.login({ email, password: PASSWORD });
      return { token: watched.token, userId: user.id, keptSessionId: kept.session.id };
    },
    async watch({ token }) {
      const headers = cookieOf(token);
      if (!(await auth.authenticate(headers))) throw new Error("B does not see the session");
      const before = reads;
      const again = await auth.authenticate(headers);
      const cached = again !== null && reads === before;
      // Polls until refused, yielding between checks so the invalidation message can arrive.
      refusal = new Promise((resolve) => {
        const poll = async () => {
          if (!(await auth.authenticate(headers))) resolve(now());
          else setImmediate(poll);
        };
        setImmediate(poll);
      });
      return { cached };
    },
    async "await-refusal"() {
      return { at: await refusal };
    },
    async revoke({ kind, token, userId, keptSessionId }) {
      let start;
      if (kind === "logout") {
        start = now();
        await auth.api.logout(token);
      } else if (kind === "revoke-others") {
        start = now();
        await auth.api.revokeUserSessions(userId, keptSessionId);
      } else if (kind === "password-reset") {
        const email = (await auth.api.admin.getUser(userId)).user.email;
        await auth.api.forgotPassword({ email });
        await auth.api.flushOutbox();
        const url = mail.filter((m) => m.type === "password-reset").at(-1).url;
        start = now();
        await auth.api.resetPassword({
          token: new URL(url).searchParams.get("token"),
          password: "a brand new passphrase",
        });
      } else {
        start = now();
        await auth.api.admin.disableUser(userId);
      }
      return { start, end: now() };
    },
    async close() {
      if (name === "a") {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
      return {};
    },
  };
  process.on("message", async (message) => {
    try {
      const answer = await handlers[message.op](message);
      process.send({ ...answer, id: message.id });
    } catch (error) {
      process.send({ id: message.id, error: String(error?.stack ?? error) });
    }
  });
  // The channel syncs in a few ms; give it time before saying hello.
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.send({ ready: true });
}
