import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { redisStorage } from "../../adapters/redis/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { Storage } from "../../src/storage/ports.js";
import { at, createdUser, sessionRecord } from "../../src/testing/fixtures.js";
import { testStorage } from "../../src/testing/index.js";
import { deleteKeys, redisAvailable, redisClient, runName } from "./services.js";

const available = await redisAvailable();

describe.skipIf(!available)("Redis storage (sessions, rate limits, tokens, revocations)", () => {
  const redis = redisClient();
  const prefix = `${runName("portcullis_test")}:`;
  // Users and the durable ports come from SQL, as in a real deployment.
  const storage: Storage = {
    ...sqliteStorage({ database: new Database(":memory:") }),
    ...redisStorage(redis, { prefix }),
  };

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  // The other ports are SQLite's, tested on their own. (Deleting a user in SQL cannot reach its
  // Redis sessions; the core refuses a session whose user is gone.)
  testStorage(() => storage, {
    skip: ["users", "passwords", "passkeys", "outbox", "refreshTokens", "mfa"],
  });

  it("voids tokens of exactly the purpose asked, even when one purpose prefixes another", async () => {
    const user = await createdUser(storage);
    const token = (id: string, purpose: string) => ({
      id,
      purpose,
      userId: user.id,
      identifier: user.email,
      data: null,
      createdAt: at(0),
      expiresAt: at(900),
    });
    await storage.verifications.create(token(`${user.id}-a`, "passkey"));
    await storage.verifications.create(token(`${user.id}-b`, "passkey:challenge"));
    await storage.verifications.deleteByUser(user.id, "passkey");
    expect(await storage.verifications.consume(`${user.id}-a`, "passkey", at(1))).toBeNull();
    expect(
      await storage.verifications.consume(`${user.id}-b`, "passkey:challenge", at(1)),
    ).not.toBeNull();
  });

  it("puts a TTL on every key it writes", async () => {
    const user = await createdUser(storage);
    await storage.sessions.create(sessionRecord(user.id));
    await storage.verifications.create({
      id: "ttl-check",
      purpose: "magic-link",
      userId: user.id,
      identifier: user.email,
      data: null,
      createdAt: at(0),
      expiresAt: at(900),
    });
    await storage.rateLimits.hit("ttl-check", 60_000, at(0));
    await storage.revocations.revokeSessions(["ttl-check"], at(60));
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(4);
    for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0);
  });
});
