import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../../src/config-error.js";
import { type Argon2idOptions, createArgon2idHasher } from "../../src/password/argon2id-hasher.js";
import type { PasswordHasher } from "../../src/password/hasher.js";
import { Argon2WorkerPool, defaultPoolSize } from "./worker-pool.js";

export interface WorkerPoolHasherOptions extends Argon2idOptions {
  /** Worker threads. Default: one less than the available cores, at least 1, at most 4. */
  size?: number;
}

export interface WorkerPoolHasher extends PasswordHasher {
  /** Terminates the workers. Optional: idle workers never keep the process alive. */
  close(): Promise<void>;
}

/**
 * Argon2id from @noble/hashes on worker threads: the same PHC strings, limits and rehash rules as
 * `argon2id()`, without the ~400 ms per hash on the event loop. Hashes beyond the pool size queue.
 */
export function workerPoolHasher(options: WorkerPoolHasherOptions = {}): WorkerPoolHasher {
  const { size = defaultPoolSize(), ...argon2Options } = options;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new ConfigError(`workerPoolHasher(): "size" must be a positive integer, got ${size}`);
  }
  const pool = new Argon2WorkerPool(size, nobleArgon2Url());
  const hasher = createArgon2idHasher(
    (password, salt, params) => pool.derive(password, salt, params),
    argon2Options,
    "workerPoolHasher",
  );
  return { ...hasher, close: () => pool.close() };
}

/**
 * Resolved here, not in the worker: an eval'd worker resolves bare specifiers from the working
 * directory, whose node_modules need not hold our @noble/hashes (pnpm, global installs). The CJS
 * build has `__filename` and no `import.meta`; the ESM build and the sources the other way round.
 */
function nobleArgon2Url(): string {
  const base = typeof __filename === "string" ? __filename : import.meta.url;
  return pathToFileURL(createRequire(base).resolve("@noble/hashes/argon2.js")).href;
}
