/**
 * Read-replica routing against a real PostgreSQL streaming replica: a throwaway primary and a
 * hot standby made from it with `pg_basebackup -R`, each on its own port. The standby's replay
 * is paused (`pg_wal_replay_pause()`) to make it lag on command, which is what shows where each
 * read went: a stale answer can only have come from the replica, a fresh one from the primary.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { ConfigError } from "../../src/index.js";
import { createdUser, sessionRecord } from "../../src/testing/fixtures.js";
import {
  type PostgresCluster,
  postgresClusterAvailable,
  throwawayPostgres,
} from "../faults/postgres-cluster.js";
import { call, makeAuth, PASSWORD, sessionCookieFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

const available = postgresClusterAvailable("the read-replica tests");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)("PostgreSQL with a real streaming replica", () => {
  let primary: PostgresCluster;
  let standby: PostgresCluster;
  let primaryPool: pg.Pool;
  let replicaPool: pg.Pool;

  /** Resolves once the standby has replayed everything the primary has written so far. */
  async function caughtUp() {
    // The insert position: the throwaway primary runs with synchronous_commit off, so the write
    // position (`pg_current_wal_lsn()`) can still be short of the last commit.
    const { rows } = await primary.sql<{ lsn: string }>(
      "SELECT pg_current_wal_insert_lsn()::text AS lsn",
    );
    const target = rows[0]?.lsn as string;
    for (let i = 0; i < 200; i++) {
      const replayed = await standby.sql<{ done: boolean }>(
        "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
        [target],
      );
      if (replayed.rows[0]?.done) return;
      await sleep(25);
    }
    throw new Error("the standby did not catch up");
  }

  async function pauseReplay() {
    await standby.sql("SELECT pg_wal_replay_pause()");
    for (let i = 0; i < 200; i++) {
      const { rows } = await standby.sql<{ state: string }>(
        "SELECT pg_get_wal_replay_pause_state() AS state",
      );
      if (rows[0]?.state === "paused") return;
      await sleep(10);
    }
    throw new Error("replay did not pause");
  }
  const resumeReplay = () => standby.sql("SELECT pg_wal_replay_resume()");

  /** How many statements on the users table reached the replica's pool. */
  function replicaUserReads() {
    const spy = vi.spyOn(replicaPool, "query");
    return () =>
      spy.mock.calls.filter(([sql]) => typeof sql === "string" && sql.includes("portcullis_users"))
        .length;
  }

  beforeAll(async () => {
    primary = await throwawayPostgres({ password: "replication-password" });
    standby = await primary.standby();
    primaryPool = new pg.Pool({ connectionString: primary.url(), max: 6 });
    replicaPool = new pg.Pool({
      connectionString: standby.url(),
      max: 6,
      connectionTimeoutMillis: 1000,
    });
    replicaPool.on("error", () => {});
    primaryPool.on("error", () => {});
    await migrate(primaryPool);
    await caughtUp();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await resumeReplay().catch(() => {});
    await primaryPool?.end().catch(() => {});
    await replicaPool?.end().catch(() => {});
    await primary?.destroy();
  });

  it("is a real standby, streaming from the primary", async () => {
    const { rows } = await standby.sql<{ recovering: boolean }>(
      "SELECT pg_is_in_recovery() AS recovering",
    );
    expect(rows[0]?.recovering).toBe(true);
    const senders = await primary.sql("SELECT state FROM pg_stat_replication");
    expect(senders.rows.map((row) => row.state)).toContain("streaming");
  });

  it("reads that may lag go to the replica, reads that must be fresh to the primary, and a replica too far behind is skipped", async () => {
    // Two seconds of allowed lag: the stale read below happens well within it.
    const storage = postgresStorage({
      pool: primaryPool,
      replica: replicaPool,
      maxReplicaLagSeconds: 2,
    });
    const user = await createdUser(storage, { name: "before" });
    await caughtUp();
    // This instance's first read: the first measurement of the replica, which is caught up.
    const firstMeasured = Date.now();
    expect((await storage.users.findById(user.id))?.name).toBe("before");

    await pauseReplay();
    try {
      await storage.users.update(user.id, { name: "after", updatedAt: new Date() });
      const session = sessionRecord(user.id);
      await storage.sessions.create(session);

      // May lag: the user and the session list come from the replica, which has not replayed.
      expect((await storage.users.findById(user.id))?.name).toBe("before");
      expect(await storage.sessions.listByUser(user.id)).toEqual([]);
      // Must be fresh: the session (joined with its user) and the password hash, from the primary.
      const fresh = await storage.sessions.getWithUser?.(session.id);
      expect(fresh?.user.name).toBe("after");
      expect((await storage.users.findById(user.id, { fresh: true }))?.name).toBe("after");
      expect(await storage.sessions.get(session.id)).toEqual(session);
      expect(await storage.passwords.get(user.id)).toBe("$test$hash-0");

      // Replay stays paused: once the replica is more than 2 s behind, its reads go to the primary.
      let name = (await storage.users.findById(user.id))?.name;
      while (name === "before" && Date.now() - firstMeasured < 10_000) {
        await sleep(100);
        name = (await storage.users.findById(user.id))?.name;
      }
      expect(name).toBe("after");
      // Not before its view (as of a measurement no earlier than firstMeasured) was 2 s old.
      expect(Date.now() - firstMeasured).toBeGreaterThan(2000);
      expect((await storage.sessions.listByUser(user.id)).map((each) => each.id)).toEqual([
        session.id,
      ]);
      // The replica itself still has the old row: the fresh answer came from the primary.
      const onReplica = await replicaPool.query("SELECT name FROM portcullis_users WHERE id = $1", [
        user.id,
      ]);
      expect(onReplica.rows[0]?.name).toBe("before");
    } finally {
      await resumeReplay();
    }

    // Caught up again, the replica serves again.
    await caughtUp();
    const reads = replicaUserReads();
    let served = 0;
    for (let i = 0; i < 40 && served === 0; i++) {
      await storage.users.findById(user.id);
      served = reads();
      if (served === 0) await sleep(100);
    }
    expect(served).toBeGreaterThan(0);
    vi.restoreAllMocks();
  });

  it("read-your-writes: sign-up then the session at once, reset then login, with replay paused", async () => {
    const mailer = captureMailer();
    // A generous lag bound, so the replica counts as usable throughout: the worst case.
    const auth = makeAuth({
      storage: postgresStorage({
        pool: primaryPool,
        replica: replicaPool,
        maxReplicaLagSeconds: 60,
      }),
      mailer,
    });
    await caughtUp();
    await pauseReplay();
    try {
      const registered = await call(auth, "POST", "/auth/register", {
        body: { email: "fresh@example.com", password: PASSWORD },
      });
      expect(registered.status).toBe(201);
      const cookie = sessionCookieFrom(registered.response);
      const session = await call(auth, "GET", "/auth/session", { cookie });
      expect(session.status).toBe(200);
      expect(session.json?.user.email).toBe("fresh@example.com");

      // The replica has never seen this account; the primary answers for it.
      const login = await call(auth, "POST", "/auth/login", {
        body: { email: "fresh@example.com", password: PASSWORD },
      });
      expect(login.status).toBe(200);

      await call(auth, "POST", "/auth/password/forgot", { body: { email: "fresh@example.com" } });
      await auth.api.flushOutbox();
      const link = mailer.sent.find((mail) => mail.type === "password-reset")?.url as string;
      const token = new URL(link).searchParams.get("token");
      const newPassword = "a new passphrase for the replica";
      const reset = await call(auth, "POST", "/auth/password/reset", {
        body: { token, password: newPassword },
      });
      expect(reset.status).toBe(204);
      const withNew = await call(auth, "POST", "/auth/login", {
        body: { email: "fresh@example.com", password: newPassword },
      });
      expect(withNew.status).toBe(200);
      const withOld = await call(auth, "POST", "/auth/login", {
        body: { email: "fresh@example.com", password: PASSWORD },
      });
      expect(withOld.status).toBe(401);
      // The reset ended the sessions: the old cookie is refused at once, replica or not.
      expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
    } finally {
      await resumeReplay();
    }
  });

  it("a replica that is down does not break sign-in; its reads move to the primary and back", async () => {
    const storage = postgresStorage({
      pool: primaryPool,
      replica: replicaPool,
      maxReplicaLagSeconds: 0.5,
    });
    const auth = makeAuth({ storage });
    const registered = await call(auth, "POST", "/auth/register", {
      body: { email: "down@example.com", password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    await caughtUp();

    await standby.stop("immediate");
    try {
      const login = await call(auth, "POST", "/auth/login", {
        body: { email: "down@example.com", password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const cookie = sessionCookieFrom(login.response);
      expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
      expect((await call(auth, "GET", "/auth/sessions", { cookie })).status).toBe(200);
      const another = await call(auth, "POST", "/auth/register", {
        body: { email: "during@example.com", password: PASSWORD },
      });
      expect(another.status).toBe(201);
      // The replica is not part of readiness: reads have the primary to fall back on.
      expect((await call(auth, "GET", "/auth/ready")).status).toBe(200);
    } finally {
      await standby.start();
    }

    await caughtUp();
    const reads = replicaUserReads();
    let served = 0;
    for (let i = 0; i < 40 && served === 0; i++) {
      await storage.users.findByEmail("down@example.com");
      served = reads();
      if (served === 0) await sleep(100);
    }
    expect(served).toBeGreaterThan(0);
    vi.restoreAllMocks();
  });

  it("refuses a lag bound that is not a positive number of seconds", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "1" as unknown as number]) {
      expect(() =>
        postgresStorage({ pool: primaryPool, replica: replicaPool, maxReplicaLagSeconds: bad }),
      ).toThrow(ConfigError);
    }
  });
});
