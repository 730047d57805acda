// Password logins per second on each storage adapter, beside the raw driver running the same
// queries in the same run.
//
// The raw row makes the six storage calls a bare login needs, straight on the driver: count the
// per-IP hit, check the account lock, find the user by email, read the password hash, clear the
// failure counter, insert the session. A login (`auth.api.login`) now makes twelve: also the
// per-account lock and counter, the second-factor check (before clearing the counter, and again
// at the gate every sign-in passes), the fresh read that refuses a disabled account, and the
// audit record. The ratio is what all of that costs beside the bare six. To measure storage and
// not hashing, both use a do-nothing password "hasher" (BENCH ONLY: it stores passwords in the
// clear); bench/hashing.mjs measures hashing.
//
//   npm run build && node bench/storage-login.mjs
//
// Same environment as bench/storage-sessions.mjs (PORTCULLIS_DIST, POSTGRES_URL, REDIS_URL,
// BENCH_SECONDS, CONCURRENCY).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  CONCURRENCY,
  core,
  postgresStorage,
  postgresWithSchema,
  redisStorage,
  redisWithPrefix,
  SECONDS,
  sqliteStorage,
  throughput,
} from "./lib/storage-bench.mjs";

const EMAIL = "bench@example.com";
const PASSWORD = "correct horse battery staple";

/** BENCH ONLY: keeps the password in the clear, so a row measures storage alone. */
const plainHasher = {
  id: "bench-plain",
  hash: async (password) => `$bench-plain$${password}`,
  verify: async (hash, password) => hash === `$bench-plain$${password}`,
  needsRehash: () => false,
};

async function registered(storage) {
  const auth = core.createAuth({
    baseURL: "http://localhost:3000",
    secret: "bench-secret-that-is-at-least-32-bytes-long",
    storage,
    passwordHasher: plainHasher,
    rateLimit: { perIP: { max: 1e9 } },
  });
  const { user } = await auth.api.register({ email: EMAIL, password: PASSWORD });
  const login = () => auth.api.login({ email: EMAIL, password: PASSWORD }, { ip: "192.0.2.1" });
  await login();
  return { login, userId: user.id };
}

let sequence = 0;
const sessionId = () => `raw-${process.pid}-${++sequence}`;

const results = [];
async function row(name, setup) {
  let ready;
  try {
    ready = await setup();
  } catch (error) {
    console.log(`${name}: skipped (${error.message})`);
    return;
  }
  const library = await throughput(ready.login);
  const raw = ready.raw ? await throughput(ready.raw) : Number.NaN;
  results.push({ name, library, raw });
  await ready.close?.();
}

const UPSERT_HIT = (
  t,
) => `INSERT INTO ${t}portcullis_rate_limits AS w (key, count, reset_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET count = CASE WHEN w.reset_at <= ? THEN 1 ELSE w.count + 1 END,
reset_at = CASE WHEN w.reset_at <= ? THEN excluded.reset_at ELSE w.reset_at END RETURNING count, reset_at`;
const PEEK = (t) =>
  `SELECT count, reset_at FROM ${t}portcullis_rate_limits WHERE key = ? AND reset_at > ?`;
const USER = (t) =>
  `SELECT id, email, email_verified, name, created_at, updated_at FROM ${t}portcullis_users WHERE email_key = ?`;
const HASH = (t) => `SELECT hash FROM ${t}portcullis_passwords WHERE user_id = ?`;
const CLEAR = (t) => `DELETE FROM ${t}portcullis_rate_limits WHERE key = ?`;
const SESSION = (t) =>
  `INSERT INTO ${t}portcullis_sessions (id, secret_hash, user_id, created_at, expires_at, absolute_expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const numbered = (sql) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

await row("memory", async () => registered(core.memoryStorage()));

await row("SQLite (better-sqlite3, WAL file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const path = join(dir, "bench.db");
  const storage = sqliteStorage({ path });
  const { login, userId } = await registered(storage);
  const db = new Database(path);
  const [hit, peek, user, hash, clear, session] = [
    UPSERT_HIT,
    PEEK,
    USER,
    HASH,
    CLEAR,
    SESSION,
  ].map((sql) => db.prepare(sql("")));
  return {
    login,
    async raw() {
      const now = Date.now();
      hit.get("ip:raw", now + 60_000, now, now);
      peek.get("lock:raw", now);
      user.get(EMAIL);
      hash.get(userId);
      clear.run("failures:raw");
      session.run(sessionId(), "hash", userId, now, now + 1e9, now + 1e9, "192.0.2.1", null);
    },
    close() {
      db.close();
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

await row("PostgreSQL (pg Pool, 10 connections)", async () => {
  const { pool, schema, drop } = await postgresWithSchema("login");
  const { login, userId } = await registered(postgresStorage({ pool, schema }));
  const t = `"${schema}".`;
  const q = (sql, params) => pool.query(numbered(sql(t)), params);
  return {
    login,
    async raw() {
      const now = Date.now();
      await q(UPSERT_HIT, ["ip:raw", now + 60_000, now, now]);
      await q(PEEK, ["lock:raw", now]);
      await q(USER, [EMAIL]);
      await q(HASH, [userId]);
      await q(CLEAR, ["failures:raw"]);
      await q(SESSION, [sessionId(), "hash", userId, now, now + 1e9, now + 1e9, "192.0.2.1", null]);
    },
    close: drop,
  };
});

await row("Redis sessions and counters + SQLite users", async () => {
  const { redis, prefix, drop } = await redisWithPrefix("login");
  const db = new Database(":memory:");
  const sqlite = sqliteStorage({ database: db });
  const { login, userId } = await registered({ ...sqlite, ...redisStorage(redis, { prefix }) });
  const user = db.prepare(USER(""));
  const hash = db.prepare(HASH(""));
  return {
    login,
    async raw() {
      await redis.hincrby(`${prefix}raw:ip`, "c", 1);
      await redis.hmget(`${prefix}raw:lock`, "c", "r");
      user.get(EMAIL);
      hash.get(userId);
      await redis.del(`${prefix}raw:failures`);
      const id = sessionId();
      await redis
        .multi()
        .hset(`${prefix}raw:session:${id}`, "userId", userId, "secretHash", "h")
        .pexpire(`${prefix}raw:session:${id}`, 60_000)
        .sadd(`${prefix}raw:user`, id)
        .exec();
    },
    close: drop,
  };
});

const fmt = (n) => (Number.isNaN(n) ? "—" : Math.round(n).toLocaleString("en-US")).padStart(10);
console.log(`\nLogins per second, storage only (${SECONDS}s per row, ${CONCURRENCY} in flight)\n`);
console.log(
  `${"storage".padEnd(44)} ${"library".padStart(10)} ${"raw driver".padStart(10)}  ratio`,
);
for (const r of results) {
  const ratio = Number.isNaN(r.raw) ? "—" : (r.library / r.raw).toFixed(2);
  console.log(`${r.name.padEnd(44)} ${fmt(r.library)} ${fmt(r.raw)}  ${ratio}`);
}
