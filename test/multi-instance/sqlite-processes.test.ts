import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";

const WORKER = fileURLToPath(new URL("./sqlite-worker.ts", import.meta.url));

interface Done {
  type: "done";
  consumed: boolean;
  counts: number[];
}

it("processes sharing one SQLite file consume a token once and lose no counter hit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-sqlite-procs-"));
  const path = join(dir, "shared.db");
  try {
    const storage = sqliteStorage({ path });
    const now = Date.now();
    await storage.verifications.create({
      id: "shared-token",
      purpose: "magic-link",
      userId: null,
      identifier: "someone@example.com",
      data: null,
      createdAt: new Date(now),
      expiresAt: new Date(now + 600_000),
    });
    storage.close();

    const workers = Array.from({ length: 4 }, () =>
      fork(WORKER, [], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, SQLITE_PATH: path },
      }),
    );
    await Promise.all(
      workers.map((worker) => new Promise((resolve) => worker.once("message", resolve))),
    );
    const results = workers.map(
      (worker) => new Promise<Done>((resolve) => worker.once("message", resolve)),
    );
    for (const worker of workers) worker.send("go");
    const done = await Promise.all(results);

    expect(done.filter((result) => result.consumed)).toHaveLength(1);
    const counts = done.flatMap((result) => result.counts).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
