import { Redis } from "ioredis";
import pg from "pg";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { redisStorage } from "../../adapters/redis/index.js";
import { type AuthConfig, createAuth, type MailMessage } from "../../src/index.js";
import { fastHasher } from "../helpers.js";

export const APP_ORIGIN = "http://localhost:3000";

export interface AppOptions {
  postgresUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  onMail?: (message: MailMessage) => void;
  overrides?: Partial<AuthConfig>;
}

/**
 * The app every instance runs: accounts and durable state in PostgreSQL, sessions, counters,
 * single-use tokens and revocations in Redis, configured as the README recommends.
 */
export async function createApp(options: AppOptions) {
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 5 });
  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  redis.on("error", () => {});
  await migrate(pool, { schema: options.schema });
  const auth = createAuth({
    baseURL: APP_ORIGIN,
    secret: "multi-instance-test-secret-of-at-least-32-bytes",
    storage: {
      ...postgresStorage({ pool, schema: options.schema }),
      ...redisStorage(redis, { prefix: options.prefix }),
    },
    passwordHasher: fastHasher,
    mailer: { send: async (message) => options.onMail?.(message) },
    magicLink: { enabled: true },
    passwordReset: { enabled: true },
    rateLimit: {
      perIP: { max: 100_000 },
      loginFailures: { freeAttempts: 3, lockSeconds: 60 },
    },
    ...options.overrides,
  });
  return {
    auth,
    async close() {
      redis.disconnect();
      await pool.end();
    },
  };
}
