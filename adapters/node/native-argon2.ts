import type { Version } from "@node-rs/argon2";
import { ConfigError } from "../../src/config-error.js";
import {
  type Argon2idDerive,
  type Argon2idOptions,
  createArgon2idHasher,
} from "../../src/password/argon2id-hasher.js";
import type { PasswordHasher } from "../../src/password/hasher.js";

type NodeRsArgon2 = typeof import("@node-rs/argon2");

let binding: Promise<NodeRsArgon2> | undefined;

/** @node-rs/argon2 is an optional peer dependency: loaded on first use, with a clear error. */
function loadBinding(): Promise<NodeRsArgon2> {
  binding ??= import("@node-rs/argon2").then(
    (module) => ("hashRaw" in module ? module : (module as { default: NodeRsArgon2 }).default),
    (error: unknown) => {
      binding = undefined;
      throw new ConfigError("install @node-rs/argon2 to use nativeArgon2id()", { cause: error });
    },
  );
  return binding;
}

/** @node-rs/argon2's `Version` enum: V0x10 = 0, V0x13 = 1. Its default algorithm is Argon2id. */
const nativeDerive: Argon2idDerive = async (password, salt, params) => {
  const { hashRaw } = await loadBinding();
  const tag = await hashRaw(password, {
    salt,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: params.hashLength,
    version: (params.version === 0x13 ? 1 : 0) as Version,
  });
  return new Uint8Array(tag.buffer, tag.byteOffset, tag.byteLength);
};

/**
 * Argon2id in native code on libuv's thread pool (@node-rs/argon2): ~4x faster than pure JS and off
 * the event loop. Same PHC strings, limits and rehash rules as `argon2id()`. Throws "install
 * @node-rs/argon2 to use nativeArgon2id()" from the first hash or verify when it is missing.
 */
export function nativeArgon2id(options: Argon2idOptions = {}): PasswordHasher {
  return createArgon2idHasher(nativeDerive, options, "nativeArgon2id");
}
