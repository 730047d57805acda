/**
 * `portcullis/node`: Node-only password hashing that keeps Argon2id off the event loop. Pass either
 * hasher as `passwordHasher` to `createAuth`; hashes stay interchangeable with `argon2id()`.
 */
export { nativeArgon2id } from "./native-argon2.js";
export {
  type WorkerPoolHasher,
  type WorkerPoolHasherOptions,
  workerPoolHasher,
} from "./worker-pool-hasher.js";
