import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Argon2idParams } from "../../src/password/argon2id-hasher.js";
import { WORKER_SOURCE, type WorkerJob, type WorkerReply } from "./worker-source.js";

interface PendingJob {
  job: WorkerJob;
  resolve: (hash: Uint8Array) => void;
  reject: (error: Error) => void;
}

/** One less than the cores, so the event loop keeps one, and at most 4 (each hash holds 19 MiB). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * A fixed-size pool of worker threads computing Argon2id. Workers start on demand, are unref'd
 * while idle (an idle pool never keeps the process alive) and ref'd while busy (so a script
 * awaiting a hash does not exit under it). A worker that dies fails its job and is replaced.
 */
export class Argon2WorkerPool {
  readonly #size: number;
  readonly #argon2Url: string;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, PendingJob>();
  readonly #queue: PendingJob[] = [];
  #closed = false;

  constructor(size: number, argon2Url: string) {
    this.#size = size;
    this.#argon2Url = argon2Url;
  }

  derive(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new Error("workerPoolHasher: the pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { password, salt, params }, resolve, reject });
      this.#dispatch();
    });
  }

  /** A snapshot for tests and metrics: threads started, threads hashing, jobs waiting. */
  stats(): { threads: number; busy: number; queued: number } {
    return { threads: this.#workerCount(), busy: this.#busy.size, queued: this.#queue.length };
  }

  /** Terminates every worker; jobs in flight or queued fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Error("workerPoolHasher: the pool was closed");
    for (const pending of this.#queue.splice(0)) pending.reject(closed);
    for (const pending of this.#busy.values()) pending.reject(closed);
    const workers = [...this.#idle.splice(0), ...this.#busy.keys()];
    this.#busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let worker = this.#idle.pop();
      if (worker === undefined) {
        if (this.#workerCount() >= this.#size) return;
        try {
          worker = this.#spawn();
        } catch (error) {
          // Out of threads or memory: fail this job rather than leave it queued forever.
          this.#queue
            .shift()
            ?.reject(new Error("workerPoolHasher: cannot start a worker", { cause: error }));
          continue;
        }
      }
      const pending = this.#queue.shift() as PendingJob;
      this.#busy.set(worker, pending);
      worker.ref();
      worker.postMessage(pending.job);
    }
  }

  #workerCount(): number {
    return this.#idle.length + this.#busy.size;
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { argon2Url: this.#argon2Url },
    });
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      const pending = this.#busy.get(worker);
      if (pending === undefined) return;
      this.#busy.delete(worker);
      worker.unref();
      this.#idle.push(worker);
      if ("hash" in reply) pending.resolve(reply.hash);
      else pending.reject(new Error(`workerPoolHasher: ${reply.error}`));
      this.#dispatch();
    });
    // "error" (an uncaught exception) is followed by "exit"; either retires the worker once.
    worker.on("error", (error) => this.#retire(worker, error));
    worker.on("exit", (code) => this.#retire(worker, new Error(`worker exited with code ${code}`)));
    return worker;
  }

  #retire(worker: Worker, error: Error): void {
    const pending = this.#busy.get(worker);
    this.#busy.delete(worker);
    const index = this.#idle.indexOf(worker);
    if (index !== -1) this.#idle.splice(index, 1);
    pending?.reject(new Error(`workerPoolHasher: ${error.message}`, { cause: error }));
    if (!this.#closed) this.#dispatch();
  }
}
