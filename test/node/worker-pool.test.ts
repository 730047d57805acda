import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { hash as nativeHash } from "@node-rs/argon2";
import { afterAll, describe, expect, it } from "vitest";
import { workerPoolHasher } from "../../adapters/node/index.js";
import { Argon2WorkerPool } from "../../adapters/node/worker-pool.js";
import { argon2id, verifyArgon2id } from "../../src/password/argon2id.js";
import { REFERENCE_ARGON2ID } from "../password/helpers.js";

const fast = { memoryCost: 256, timeCost: 2, dangerouslyWeak: true } as const;
const nobleUrl = pathToFileURL(require.resolve("@noble/hashes/argon2.js")).href;
const params = {
  memoryCost: 256,
  timeCost: 2,
  parallelism: 1,
  version: 0x13,
  hashLength: 32,
} as const;

describe("workerPoolHasher", () => {
  const pool = workerPoolHasher({ ...fast, size: 2 });
  afterAll(() => pool.close());

  it("writes the same PHC strings as argon2id(), each verifying the other's", async () => {
    const stored = await pool.hash("correct horse");
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=256,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await argon2id(fast).verify(stored, "correct horse")).toBe(true);
    expect(await verifyArgon2id(stored, "correct horsf")).toBe(false);
    expect(await pool.verify(await argon2id(fast).hash("pw"), "pw")).toBe(true);
    expect(pool.needsRehash(stored)).toBe(false);
    expect(argon2id().needsRehash(stored)).toBe(true);
  });

  it("verifies the reference vectors and @node-rs/argon2 hashes", async () => {
    expect(await pool.verify(REFERENCE_ARGON2ID.m256p1, "password")).toBe(true);
    expect(await pool.verify(REFERENCE_ARGON2ID.m256p2, "password")).toBe(true);
    expect(await pool.verify(REFERENCE_ARGON2ID.v16m256, "password")).toBe(true);
    expect(await pool.verify(REFERENCE_ARGON2ID.m256p1, "passwore")).toBe(false);
    const native = await nativeHash("pw", { memoryCost: 512, timeCost: 1 });
    expect(await pool.verify(native, "pw")).toBe(true);
  });

  it("is false, without a worker round trip, for a planted absurd hash", async () => {
    const planted =
      "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA";
    expect(await pool.verify(planted, "pw")).toBe(false);
  });

  it("refuses weak options, naming itself", () => {
    expect(() => workerPoolHasher({ memoryCost: 1024 })).toThrow(
      /workerPoolHasher\(\): "memoryCost"/,
    );
    expect(() => workerPoolHasher({ size: 0 })).toThrow(/"size"/);
  });

  it("hashes off the main thread, leaving the event loop idle while it waits", async () => {
    // Event-loop utilization, not wall time: it stays low however loaded the machine is, as long
    // as the main thread only waits, and nears 1 when the hash runs on it.
    const options = { memoryCost: 8192, timeCost: 2, dangerouslyWeak: true } as const;
    const offThread = workerPoolHasher({ ...options, size: 1 });
    try {
      await offThread.hash("warm-up"); // start the worker and load @noble/hashes
      const pooled = await utilizationWhile(() => offThread.hash("pw"));
      const onThread = await utilizationWhile(() => argon2id(options).hash("pw"));
      expect(pooled).toBeLessThan(0.3);
      expect(onThread).toBeGreaterThan(0.5);
    } finally {
      await offThread.close();
    }
  });

  it("rejects calls after close()", async () => {
    const closing = workerPoolHasher(fast);
    await closing.hash("pw");
    await closing.close();
    await expect(closing.hash("pw")).rejects.toThrow(/closed/);
  });
});

async function utilizationWhile(work: () => Promise<unknown>): Promise<number> {
  const before = performance.eventLoopUtilization();
  for (let i = 0; i < 3; i++) await work();
  return performance.eventLoopUtilization(before).utilization;
}

describe("Argon2WorkerPool", () => {
  it("runs up to `size` jobs at once and queues the rest", async () => {
    const pool = new Argon2WorkerPool(2, nobleUrl);
    try {
      const salt = new Uint8Array(16);
      const jobs = [1, 2, 3].map((n) => pool.derive(Uint8Array.of(n), salt, params));
      expect(pool.stats()).toEqual({ threads: 2, busy: 2, queued: 1 });
      const tags = await Promise.all(jobs);
      expect(new Set(tags.map((tag) => tag.join())).size).toBe(3);
      expect(pool.stats()).toEqual({ threads: 2, busy: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it("fails a job the worker cannot run and keeps serving", async () => {
    const pool = new Argon2WorkerPool(1, nobleUrl);
    try {
      const salt = new Uint8Array(16);
      await expect(
        pool.derive(Uint8Array.of(1), salt, { ...params, hashLength: 2 }),
      ).rejects.toThrow(/dkLen/);
      expect((await pool.derive(Uint8Array.of(1), salt, params)).length).toBe(32);
    } finally {
      await pool.close();
    }
  });

  it("fails jobs in flight and queued when closed", async () => {
    const pool = new Argon2WorkerPool(1, nobleUrl);
    const salt = new Uint8Array(16);
    const inFlight = expect(pool.derive(Uint8Array.of(1), salt, params)).rejects.toThrow(/closed/);
    const queued = expect(pool.derive(Uint8Array.of(2), salt, params)).rejects.toThrow(/closed/);
    await pool.close();
    await inFlight;
    await queued;
  });

  it("fails jobs, rather than hanging, when @noble/hashes cannot be loaded", async () => {
    const pool = new Argon2WorkerPool(1, "file:///nonexistent/argon2.js");
    try {
      const salt = new Uint8Array(16);
      await expect(pool.derive(Uint8Array.of(1), salt, params)).rejects.toThrow(/nonexistent/);
    } finally {
      await pool.close();
    }
  });

  it("fails the job of a worker that dies, and starts a new worker for the next", async () => {
    const dir = await mkdtemp(join(tmpdir(), "portcullis-exit-"));
    const exiting = join(dir, "exit.mjs");
    await writeFile(exiting, "process.exit(3);\n");
    const pool = new Argon2WorkerPool(1, pathToFileURL(exiting).href);
    try {
      const salt = new Uint8Array(16);
      await expect(pool.derive(Uint8Array.of(1), salt, params)).rejects.toThrow(
        /exited with code 3/,
      );
      expect(pool.stats()).toEqual({ threads: 0, busy: 0, queued: 0 });
      await expect(pool.derive(Uint8Array.of(2), salt, params)).rejects.toThrow(
        /exited with code 3/,
      );
    } finally {
      await pool.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a process using the pool", () => {
  const execFileAsync = promisify(execFile);

  it("exits on its own after hashing, without close()", async () => {
    const dir = await mkdtemp(join(tmpdir(), "portcullis-pool-"));
    try {
      const script = join(dir, "script.mts");
      const entry = pathToFileURL(join(__dirname, "../../adapters/node/index.ts")).href;
      await writeFile(
        script,
        `import { workerPoolHasher } from ${JSON.stringify(entry)};\n` +
          "const hasher = workerPoolHasher({ memoryCost: 256, timeCost: 2, dangerouslyWeak: true });\n" +
          'console.log(await hasher.verify(await hasher.hash("pw"), "pw"));\n',
      );
      const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", script], {
        cwd: join(__dirname, "../.."),
        timeout: 15_000,
      });
      expect(stdout.trim()).toBe("true");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
