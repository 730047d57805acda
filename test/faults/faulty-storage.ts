import { memoryStorage, type Storage } from "../../src/index.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";

/**
 * A storage whose every call fails while it is "down", the way the real adapters fail during an
 * outage: `AuthError("unavailable")` with `Retry-After`, the driver's error as its cause. For
 * the behaviour above the storage (routes, guards, logs) without a database to stop; the
 * adapters' own classification is tested against real servers in test/reliability.
 */
export function faultyStorage(inner: Storage = memoryStorage()) {
  const state = { down: false, failures: 0 };
  const wrap = <Port extends object>(name: string, port: Port): Port =>
    new Proxy(port, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (!state.down) return value.apply(target, args);
          state.failures++;
          const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
            code: "ECONNREFUSED",
            port: `${name}.${String(key)}`,
          });
          return Promise.reject(storageUnavailable(cause));
        };
      },
    });
  const storage = Object.fromEntries(
    Object.entries(inner).map(([name, port]) => [name, wrap(name, port as object)]),
  ) as unknown as Storage;
  return {
    storage,
    /** How many calls failed since the start. */
    get failures() {
      return state.failures;
    },
    down() {
      state.down = true;
    },
    up() {
      state.down = false;
    },
  };
}
