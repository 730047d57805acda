/**
 * The worker's program, run with `eval: true`. A source string rather than a file because it must
 * run unchanged from the TypeScript sources (vitest) and from both builds (ESM and CJS), where a
 * sibling worker file would have a different name and extension in each.
 *
 * It is CommonJS (eval'd workers are), loads @noble/hashes from the URL the main thread resolved,
 * and runs the synchronous Argon2id: a worker has nothing else to do, so yielding would only slow
 * it down. One job at a time; the pool never sends a second before the first is answered.
 */
export const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const noble = import(workerData.argon2Url);
parentPort.on("message", (job) => {
  noble
    .then(({ argon2id }) => {
      const { memoryCost, timeCost, parallelism, version, hashLength } = job.params;
      const hash = argon2id(job.password, job.salt, {
        m: memoryCost, t: timeCost, p: parallelism, version, dkLen: hashLength,
      });
      parentPort.postMessage({ hash }, [hash.buffer]);
    })
    .catch((error) => {
      parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
    });
});
`;

/** What the pool sends; `params` is an `Argon2idParams`. */
export interface WorkerJob {
  password: Uint8Array;
  salt: Uint8Array;
  params: {
    memoryCost: number;
    timeCost: number;
    parallelism: number;
    version: number;
    hashLength: number;
  };
}

/** What the worker answers. */
export type WorkerReply = { hash: Uint8Array } | { error: string };
