import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteKeys,
  freshPostgres,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  redisClient,
  runName,
} from "../storage/services.js";
import { cookieOf, type Instance, mailbox, startInstance, stopInstance } from "./instances.js";

/*
 * Three separate Node processes of one app over one PostgreSQL and one Redis, the way an app
 * grows past one machine. Nothing a request needs may live in one process's memory only.
 */

const available = (await postgresAvailable()) && (await redisAvailable());
const PASSWORD = "correct horse battery staple";
let sequence = 0;
const email = (label: string) => `${label}-${process.pid}-${++sequence}@example.com`;

describe.skipIf(!available)("many instances over shared PostgreSQL and Redis", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  const prefix = `${runName("portcullis_multi")}:`;
  let instances: Instance[] = [];
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    db = await freshPostgres();
    const env = { POSTGRES_URL, REDIS_URL, SCHEMA: db.schema, PREFIX: prefix };
    // Started together: each migrates at startup, under the advisory lock.
    instances = await Promise.all([startInstance(env), startInstance(env), startInstance(env)]);
    [a, b] = instances as [Instance, Instance];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    const redis = redisClient();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  it("a session made on one instance is valid on every other", async () => {
    const registered = await a.request("POST", "/auth/register", {
      body: { email: email("ada"), password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const cookie = cookieOf(registered);
    for (const instance of instances) {
      const session = await instance.request("GET", "/auth/session", { cookie });
      expect(session.status).toBe(200);
    }
  });

  it("a revocation on one instance is refused on the others at once, JWTs included", async () => {
    const address = email("grace");
    const registered = await a.request("POST", "/auth/register", {
      body: { email: address, password: PASSWORD },
    });
    const cookie = cookieOf(registered);
    const token = await b.request("POST", "/auth/token", {
      body: { grant_type: "password", username: address, password: PASSWORD },
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    expect((await b.request("GET", "/auth/session", { bearer: access_token })).status).toBe(200);
    // The password change on A ends every other session of the user, the token's included.
    const changed = await a.request("POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: PASSWORD, newPassword: `${PASSWORD} 2` },
    });
    expect(changed.status).toBe(204);
    expect((await b.request("GET", "/auth/session", { bearer: access_token })).status).toBe(401);
    // And a logout on B is refused on A and C at once.
    expect((await b.request("POST", "/auth/logout", { cookie })).status).toBe(204);
    for (const instance of instances) {
      expect((await instance.request("GET", "/auth/session", { cookie })).status).toBe(401);
    }
  });

  it("the per-account login limit is shared, not multiplied by the number of instances", async () => {
    const address = email("locked");
    await a.request("POST", "/auth/register", { body: { email: address, password: PASSWORD } });
    const wrong = { email: address, password: "not the password at all" };
    // Three free failures in all (freeAttempts: 3), spread over three instances...
    for (const instance of instances) {
      expect((await instance.request("POST", "/auth/login", { body: wrong })).status).toBe(401);
    }
    // ...and every instance now refuses, even the right password.
    for (const instance of instances) {
      const locked = await instance.request("POST", "/auth/login", {
        body: { email: address, password: PASSWORD },
      });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("twenty simultaneous registrations of one email across instances make one account", async () => {
    const address = email("race");
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (instances[i % instances.length] as Instance).request("POST", "/auth/register", {
          body: { email: i % 2 ? address : address.toUpperCase(), password: PASSWORD },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM "${db.schema}".portcullis_users WHERE email_key = $1`,
      [address.toLowerCase()],
    );
    expect(rows[0].n).toBe(1);
  });

  it("a magic link used at the same moment on two instances signs in once", async () => {
    const address = email("magic");
    await a.request("POST", "/auth/register", { body: { email: address, password: PASSWORD } });
    expect((await b.request("POST", "/auth/magic-link", { body: { email: address } })).status).toBe(
      202,
    );
    const mail = await waitForMail(
      (message) => message.to === address && message.type === "magic-link",
    );
    const link = new URL(mail.url as string);
    const path = `${link.pathname}${link.search}`;
    const results = await Promise.all(
      instances.flatMap((instance) => [
        instance.request("GET", path, { json: true }),
        instance.request("GET", path, { json: true }),
      ]),
    );
    const statuses = results.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 401)).toBe(
      true,
    );
  });

  it("a reset token used at the same moment on two instances resets once", async () => {
    const address = email("reset");
    await a.request("POST", "/auth/register", { body: { email: address, password: PASSWORD } });
    expect(
      (await a.request("POST", "/auth/password/forgot", { body: { email: address } })).status,
    ).toBe(202);
    const mail = await waitForMail(
      (message) => message.to === address && message.type === "password-reset",
    );
    const token = new URL(mail.url as string).searchParams.get("token");
    const results = await Promise.all(
      instances.map((instance, i) =>
        instance.request("POST", "/auth/password/reset", {
          body: { token, password: `${PASSWORD} reset ${i}` },
        }),
      ),
    );
    expect(
      results.map((response) => response.status).filter((status) => status === 204),
    ).toHaveLength(1);
  });
});

async function waitForMail(match: (message: (typeof mailbox)[number]) => boolean) {
  for (let i = 0; i < 200; i++) {
    const found = mailbox.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no such mail arrived");
}
