import Database from "better-sqlite3";
import type { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { redisStorage } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { sha256Base64url } from "../../src/crypto/sha256.js";
import { memoryStorage, type Storage } from "../../src/index.js";
import { call, PASSWORD, registered, sessionTokenFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import { softAuthenticator, userWithPasskey } from "../passkeys/helpers.js";
import {
  deleteKeys,
  freshPostgres,
  postgresAvailable,
  redisAvailable,
  redisClient,
  runName,
} from "../storage/services.js";
import { adminAuth, asAdmin, type TestAuth } from "./helpers.js";

/*
 * `deleteUser` removes the user and everything of it from every store: checked port by port,
 * then, where the store is a database, table by table (every table with a user_id column, so a
 * table added later is covered too) and key by key in Redis. The audit log alone keeps its
 * records. `getUser` and `stats` are checked on the same stores on the way.
 */

const [pgUp, redisUp] = await Promise.all([postgresAvailable(), redisAvailable()]);

/** What a store can be asked directly, beyond the ports: every row or key naming the user. */
interface Backend {
  storage: Storage;
  /** Rows (SQL) or keys (Redis) that still mention the user, by where they are. */
  leftovers(userId: string): Promise<Record<string, number>>;
  /** Whether the sessions store counts live sessions (Redis does not). */
  countsSessions: boolean;
}

/** The non-zero counts. */
const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

function sqliteBackend(): Backend {
  const db = new Database(":memory:");
  const storage = sqliteStorage({ database: db });
  return {
    storage,
    countsSessions: true,
    async leftovers(userId) {
      const counts: Record<string, number> = {};
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'portcullis_%'")
        .all() as { name: string }[];
      for (const { name } of tables) {
        const columns = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[];
        const column = name === "portcullis_users" ? "id" : "user_id";
        if (!columns.some((c) => c.name === column)) continue;
        const row = db.prepare(`SELECT count(*) AS n FROM ${name} WHERE ${column} = ?`).get(userId);
        counts[name] = (row as { n: number }).n;
      }
      // A token may name the user in its data rather than its user_id column.
      const named = db
        .prepare("SELECT purpose FROM portcullis_verifications WHERE data LIKE ?")
        .all(`%${userId}%`) as { purpose: string }[];
      for (const { purpose } of named)
        counts[`token:${purpose}`] = (counts[`token:${purpose}`] ?? 0) + 1;
      return counts;
    },
  };
}

async function postgresBackend(db: { pool: pg.Pool; schema: string }): Promise<Backend> {
  await migrate(db.pool, { schema: db.schema });
  return {
    storage: postgresStorage({ pool: db.pool, schema: db.schema }),
    countsSessions: true,
    leftovers: (userId) => postgresLeftovers(db, userId),
  };
}

async function postgresLeftovers(db: { pool: pg.Pool; schema: string }, userId: string) {
  const counts: Record<string, number> = {};
  const { rows } = await db.pool.query(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = $1 AND (column_name = 'user_id' OR (table_name = 'portcullis_users' AND column_name = 'id'))`,
    [db.schema],
  );
  for (const { table_name, column_name } of rows) {
    const result = await db.pool.query(
      `SELECT count(*)::int AS n FROM "${db.schema}"."${table_name}" WHERE ${column_name} = $1`,
      [userId],
    );
    counts[table_name] = result.rows[0].n;
  }
  // A token may name the user in its data rather than its user_id column.
  const named = await db.pool.query(
    `SELECT purpose FROM "${db.schema}".portcullis_verifications WHERE data LIKE $1`,
    [`%${userId}%`],
  );
  for (const { purpose } of named.rows)
    counts[`token:${purpose}`] = (counts[`token:${purpose}`] ?? 0) + 1;
  return counts;
}

/** Every Redis key under the prefix whose name or content mentions `needle`. */
async function redisMentions(redis: Redis, prefix: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const content =
        type === "hash"
          ? JSON.stringify(await redis.hgetall(key))
          : type === "set"
            ? JSON.stringify(await redis.smembers(key))
            : type === "string"
              ? ((await redis.get(key)) ?? "")
              : type === "zset"
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : "";
      if (key.includes(needle) || content.includes(needle)) found.push(key);
    }
  } while (cursor !== "0");
  return found;
}

/** A user holding one of everything, and a bystander who must keep theirs. */
async function equipped(auth: TestAuth, mailer: ReturnType<typeof captureMailer>) {
  const authenticator = softAuthenticator();
  const { user, cookie, response, passkey } = await userWithPasskey(
    auth,
    authenticator,
    "ada@example.com",
  );
  const granted = await call(auth, "POST", "/auth/token", {
    origin: null,
    body: { grant_type: "password", username: "ada@example.com", password: PASSWORD },
  });
  expect(granted.status).toBe(200);
  // Pending mailed tokens: a reset link, a magic link, an email change, a passkey challenge.
  const mailTo = async (path: string, body: unknown, withCookie = false) => {
    const before = mailer.sent.length;
    const result = await call(auth, "POST", path, withCookie ? { body, cookie } : { body });
    expect(result.status, `${path}: ${JSON.stringify(result.json)}`).toBeLessThan(300);
    await auth.api.flushOutbox();
    const url = mailer.sent[before]?.url;
    return url ? (new URL(url).searchParams.get("token") as string) : null;
  };
  const resetToken = await mailTo("/auth/password/forgot", { email: "ada@example.com" });
  const magicToken = await mailTo("/auth/magic-link", { email: "ada@example.com" });
  // Its first mail goes to the current address, with the link that stops the change.
  const cancelToken = await mailTo("/auth/email/change", { newEmail: "ada@new.example" }, true);
  const options = await call(auth, "POST", "/auth/passkey/register/options", { cookie });
  expect(options.status).toBe(200);
  // Failed sign-ins counted against the address (and a lock after the free attempts).
  for (let i = 0; i < 6; i++) {
    await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "not the password" },
    });
  }
  const sessions = (await auth.storage.sessions.listByUser(user.id)).map((s) => s.id);
  expect(sessions).toHaveLength(2);
  const bystander = await registered(auth, "bob@example.com");
  return {
    user: user as { id: string; email: string },
    cookie,
    sessionToken: sessionTokenFrom(response),
    accessToken: granted.json?.access_token as string,
    refreshFamily: String(granted.json?.refresh_token).split(".")[0] as string,
    passkeyId: passkey.id as string,
    sessions,
    resetToken: resetToken as string,
    magicToken: magicToken as string,
    cancelToken: cancelToken as string,
    bystander,
  };
}

function deleteSuite(name: string, backend: () => Backend) {
  it(`${name}: getUser and stats report the account, then deleteUser leaves nothing of it`, async () => {
    const { storage, leftovers, countsSessions } = backend();
    const mailer = captureMailer();
    const auth = adminAuth({ storage, mailer });
    const held = await equipped(auth, mailer);
    const { user } = held;

    const details = await asAdmin(auth, "GET", `/users/${user.id}`);
    expect(details.status).toBe(200);
    expect(details.json).toMatchObject({
      user: { id: user.id, email: "ada@example.com", disabledAt: null },
      sessions: 2,
      passkeys: 1,
      hasPassword: true,
      lastSignInAt: expect.any(String),
    });
    expect(JSON.stringify(details.json)).not.toMatch(/\$pbkdf2|secretHash|publicKey/);
    const stats = await auth.api.admin.stats();
    expect(stats.users).toMatchObject({
      total: 2,
      disabled: 0,
      signUpsLast24h: 2,
      signUpsLast7d: 2,
    });
    expect(stats.activeSessions).toBe(countsSessions ? 3 : null);
    const before = await leftovers(user.id);
    // The fixture really put something in the user's rows and keys.
    expect(Object.values(before).reduce((a, b) => a + b, 0)).toBeGreaterThan(3);

    const deleted = await asAdmin(auth, "DELETE", `/users/${user.id}`, { clientIP: "203.0.113.9" });
    expect(deleted.status).toBe(204);

    // Port by port.
    expect(await storage.users.findById(user.id)).toBeNull();
    expect(await storage.users.findByEmail("ada@example.com")).toBeNull();
    expect(await storage.passwords.get(user.id)).toBeNull();
    expect(await storage.passkeys.findById(held.passkeyId)).toBeNull();
    expect(await storage.passkeys.listByUser(user.id)).toEqual([]);
    expect(await storage.sessions.listByUser(user.id)).toEqual([]);
    for (const id of held.sessions) {
      expect(await storage.sessions.get(id)).toBeNull();
      // Listed as revoked, so services verifying JWTs alone refuse them too.
      expect(await storage.revocations.isSessionRevoked(id, new Date())).toBe(true);
    }
    expect(await storage.refreshTokens.get(held.refreshFamily)).toBeNull();
    const now = new Date();
    expect(
      await storage.verifications.consume(sha256Base64url(held.resetToken), "password-reset", now),
    ).toBeNull();
    expect(
      await storage.verifications.consume(sha256Base64url(held.magicToken), "magic-link", now),
    ).toBeNull();
    // The failed-sign-in count and the lock (keyed by the address, as rate-limit.ts keys them).
    const address = sha256Base64url("ada@example.com");
    expect(await storage.rateLimits.peek(`login-failures:${address}`, now)).toBeNull();
    expect(await storage.rateLimits.peek(`login-lock:${address}`, now)).toBeNull();

    // Store by store: no row, no key names the user any more, but two things kept on purpose.
    // The audit log's records (security records, until retention). The link that lets the old
    // address stop an email change: it belongs to the address, not the account (stored without
    // a user id, so that no recovery voids it), so nothing can find it by the user; it does
    // nothing once the account is gone, and expires (7 days) or is purged.
    const after = nonZero(await leftovers(user.id));
    const kept: Record<string, unknown> = {};
    if ("portcullis_audit_events" in after) kept.portcullis_audit_events = expect.any(Number);
    if (name !== "memory") kept["token:email-change-cancel"] = 1;
    expect(after).toEqual(kept);
    const cancel = await call(auth, "GET", `/auth/email/change/cancel?token=${held.cancelToken}`, {
      headers: { accept: "application/json" },
    });
    expect(cancel.json?.error.code).toBe("token_invalid");
    expect(await storage.users.findByEmail("ada@example.com")).toBeNull();
    const audit = await auth.api.admin.listAuditEvents({ userId: user.id, type: "user.deleted" });
    expect(audit.events).toMatchObject([{ userId: user.id, by: "admin", ip: "203.0.113.9" }]);

    // Every credential it held is dead, the address is free, the bystander untouched.
    expect((await call(auth, "GET", "/auth/session", { cookie: held.cookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/session", { bearer: held.accessToken })).status).toBe(
      401,
    );
    expect((await call(auth, "GET", "/auth/session", { bearer: held.sessionToken })).status).toBe(
      401,
    );
    expect(
      (await call(auth, "GET", "/auth/session", { cookie: held.bystander.cookie })).status,
    ).toBe(200);
    expect((await asAdmin(auth, "GET", `/users/${user.id}`)).status).toBe(404);
    expect((await asAdmin(auth, "DELETE", `/users/${user.id}`)).status).toBe(404);
    await registered(auth, "ada@example.com");
    expect((await auth.api.admin.stats()).users?.total).toBe(2);
  });
}

describe("deleteUser in every store", () => {
  deleteSuite("memory", () => {
    const storage = memoryStorage();
    return {
      storage,
      countsSessions: true,
      // Nothing beneath the ports to look at: what they hand out for the user.
      async leftovers(userId) {
        return {
          users: (await storage.users.findById(userId)) ? 1 : 0,
          passwords: (await storage.passwords.get(userId)) ? 1 : 0,
          sessions: (await storage.sessions.listByUser(userId)).length,
          passkeys: (await storage.passkeys.listByUser(userId)).length,
        };
      },
    };
  });
  deleteSuite("SQLite", sqliteBackend);
});

describe.skipIf(!pgUp)("deleteUser on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let backend: Backend;
  beforeAll(async () => {
    db = await freshPostgres();
    backend = await postgresBackend(db);
  });
  afterAll(() => db?.drop());
  deleteSuite("PostgreSQL", () => backend);
});

describe.skipIf(!pgUp || !redisUp)("deleteUser on PostgreSQL with Redis", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let redis: Redis;
  const prefix = `${runName("portcullis_admin")}:`;
  let backend: Backend;
  beforeAll(async () => {
    db = await freshPostgres();
    redis = redisClient();
    const sql = await postgresBackend(db);
    backend = {
      // Sessions, verifications, rate limits and revocations in Redis, as in the README.
      storage: { ...sql.storage, ...redisStorage(redis, { prefix }) },
      countsSessions: false,
      async leftovers(userId) {
        const rows = await sql.leftovers(userId);
        const counts: Record<string, number> = { ...rows };
        for (const key of await redisMentions(redis, prefix, userId)) {
          // verification:<purpose>:<id> counts as a token of its purpose, as in SQL.
          const token = /:verification:([^:]+):[^:]+$/.exec(key);
          const name = token ? `token:${token[1]}` : `redis:${key.slice(prefix.length)}`;
          counts[name] = (counts[name] ?? 0) + 1;
        }
        return counts;
      },
    };
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });
  deleteSuite("PostgreSQL + Redis", () => backend);
});

describe("deleteUser over a storage composed of several stores", () => {
  it("reaches passkeys, sessions, refresh tokens and mailed tokens no cascade reaches", async () => {
    const main = memoryStorage();
    const other = memoryStorage();
    // The users (and their passwords, created with them) here, the rest of what a user owns in
    // another store: no cascade crosses over. (A sessions store without the users joins
    // nothing, as Redis's.)
    const sessions = { ...other.sessions };
    delete sessions.getWithUser;
    const storage: Storage = {
      ...main,
      passkeys: other.passkeys,
      sessions,
      refreshTokens: other.refreshTokens,
      verifications: other.verifications,
    };
    const mailer = captureMailer();
    const auth = adminAuth({ storage, mailer });
    const held = await equipped(auth, mailer);
    expect(await other.passkeys.listByUser(held.user.id)).toHaveLength(1);
    await auth.api.admin.deleteUser(held.user.id);
    expect(await main.passwords.get(held.user.id)).toBeNull();
    expect(await other.passkeys.listByUser(held.user.id)).toEqual([]);
    expect(await other.sessions.listByUser(held.user.id)).toEqual([]);
    expect(await other.refreshTokens.get(held.refreshFamily)).toBeNull();
    const now = new Date();
    expect(
      await other.verifications.consume(sha256Base64url(held.resetToken), "password-reset", now),
    ).toBeNull();
    expect(await main.users.findById(held.user.id)).toBeNull();
  });
});
