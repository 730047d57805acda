import { argon2idAsync } from "@noble/hashes/argon2.js";
import {
  type Argon2idDerive,
  type Argon2idOptions,
  createArgon2idHasher,
  verifyArgon2idWith,
} from "./argon2id-hasher.js";
import type { PasswordHasher, VerifyOptions } from "./hasher.js";

export {
  ARGON2ID_ID,
  ARGON2ID_LIMITS,
  type Argon2idDerive,
  type Argon2idOptions,
  type Argon2idParams,
} from "./argon2id-hasher.js";

/**
 * @noble/hashes refuses more than 1 GiB unless told otherwise; the limits that matter were applied
 * before (`argon2LimitProblem`), so allow what the parameters need.
 */
export const nobleMaxmem = (memoryCost: number): number => memoryCost * 1024;

/** Argon2id in pure JS (@noble/hashes) on the calling thread, yielding every ~10 ms. */
const nobleDerive: Argon2idDerive = (password, salt, params) =>
  argon2idAsync(password, salt, {
    m: params.memoryCost,
    t: params.timeCost,
    p: params.parallelism,
    version: params.version,
    dkLen: params.hashLength,
    asyncTick: 10,
    maxmem: nobleMaxmem(params.memoryCost),
  });

/**
 * Argon2id with @noble/hashes, writing `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. Runs on
 * every runtime, but a pure-JS hash takes ~400 ms of the event loop's time: under load prefer
 * `pbkdf2()` or, on Node, `workerPoolHasher()` / `nativeArgon2id()` from `portcullis/node`.
 */
export function argon2id(options: Argon2idOptions = {}): PasswordHasher {
  return createArgon2idHasher(nobleDerive, options, "argon2id");
}

/**
 * Verifies any readable Argon2id hash using @noble/hashes, within `maxArgon2MemoryKiB` (default
 * 256 MiB).
 */
export function verifyArgon2id(
  stored: string,
  password: string,
  options?: VerifyOptions,
): Promise<boolean> {
  return verifyArgon2idWith(nobleDerive, stored, password, options);
}
