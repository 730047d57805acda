import { sqliteStorage } from "../../adapters/sqlite/index.js";

/*
 * One process over a shared SQLite file, for the multi-process test: waits for "go", then
 * consumes the token and counts its hits as fast as it can, and reports what it got.
 */

const storage = sqliteStorage({ path: process.env.SQLITE_PATH as string });
const now = new Date();

process.send?.({ type: "ready" });
process.once("message", async () => {
  const consumed = await storage.verifications.consume("shared-token", "magic-link", now);
  const counts: number[] = [];
  for (let i = 0; i < 25; i++) {
    counts.push((await storage.rateLimits.hit("shared-key", 60_000, now)).count);
  }
  process.send?.({ type: "done", consumed: consumed !== null, counts }, () => {
    storage.close();
    process.exit(0);
  });
});
