// Session validations per second on each storage adapter, beside the raw driver running the
// same queries in the same run.
//
// A validation is `auth.api.getSession(token)`: read the session, check the secret's SHA-256 in
// constant time, check expiry, read the user. The raw row runs the same two reads straight on
// the driver (no hashing, no mapping), so the ratio is what the library adds on top.
//
//   npm run build && node bench/storage-sessions.mjs
//
// Uses the built package (dist/); set PORTCULLIS_DIST to use another build. PostgreSQL and
// Redis rows need the services (POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test;
// REDIS_URL, default redis://127.0.0.1:6379) and are skipped when unreachable.
// BENCH_SECONDS (default 2) per row; CONCURRENCY (default 16) validations in flight.
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

async function signedIn(storage) {
  const auth = core.createAuth({
    baseURL: "http://localhost:3000",
    secret: "bench-secret-that-is-at-least-32-bytes-long",
    storage,
    passwordHasher: core.pbkdf2({ iterations: 1000, dangerouslyWeak: true }),
  });
  const { token, session, user } = await auth.api.register({
    email: "bench@example.com",
    password: "correct horse battery staple",
  });
  if (!(await auth.api.getSession(token))) throw new Error("session does not validate");
  return { auth, token, sessionId: session.id, userId: user.id };
}

const SESSION_SQL = (t) =>
  `SELECT id, secret_hash, user_id, created_at, expires_at, absolute_expires_at, ip, user_agent FROM ${t}portcullis_sessions WHERE id = `;
const USER_SQL = (t) =>
  `SELECT id, email, email_verified, name, created_at, updated_at FROM ${t}portcullis_users WHERE id = `;

const rows = [];
async function row(name, setup) {
  let ready;
  try {
    ready = await setup();
  } catch (error) {
    console.log(`${name}: skipped (${error.message})`);
    return;
  }
  const library = await throughput(() => ready.auth.api.getSession(ready.token));
  const raw = await throughput(ready.raw);
  rows.push({ storage: name, library, raw, ratio: library / raw });
  await ready.close?.();
}

await row("memory", async () => {
  const storage = core.memoryStorage();
  const s = await signedIn(storage);
  // The raw equivalent of a Map read: the port itself, minus validation.
  return {
    ...s,
    raw: async () => [
      await storage.sessions.get(s.sessionId),
      await storage.users.findById(s.userId),
    ],
  };
});

await row("SQLite (better-sqlite3, WAL file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const path = join(dir, "bench.db");
  const storage = sqliteStorage({ path });
  const s = await signedIn(storage);
  const db = new Database(path);
  const session = db.prepare(`${SESSION_SQL("")}?`);
  const user = db.prepare(`${USER_SQL("")}?`);
  return {
    ...s,
    raw: async () => [session.get(s.sessionId), user.get(s.userId)],
    close() {
      db.close();
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

await row("PostgreSQL (pg Pool, 10 connections)", async () => {
  const { pool, schema, drop } = await postgresWithSchema("sessions");
  const s = await signedIn(postgresStorage({ pool, schema }));
  const t = `"${schema}".`;
  return {
    ...s,
    raw: async () => [
      await pool.query(`${SESSION_SQL(t)}$1`, [s.sessionId]),
      await pool.query(`${USER_SQL(t)}$1`, [s.userId]),
    ],
    close: drop,
  };
});

await row("Redis sessions + SQLite users", async () => {
  const { redis, prefix, drop } = await redisWithPrefix("sessions");
  const sqlite = sqliteStorage({ database: new Database(":memory:") });
  const s = await signedIn({ ...sqlite, ...redisStorage(redis, { prefix }) });
  return {
    ...s,
    raw: async () => [
      await redis.hgetall(`${prefix}session:${s.sessionId}`),
      await sqlite.users.findById(s.userId),
    ],
    close: drop,
  };
});

const fmt = (n) => Math.round(n).toLocaleString("en-US").padStart(10);
console.log(`\nSession validations per second (${SECONDS}s per row, ${CONCURRENCY} in flight)\n`);
console.log(
  `${"storage".padEnd(38)} ${"library".padStart(10)} ${"raw driver".padStart(10)}  ratio`,
);
for (const r of rows) {
  console.log(`${r.storage.padEnd(38)} ${fmt(r.library)} ${fmt(r.raw)}  ${r.ratio.toFixed(2)}`);
}
