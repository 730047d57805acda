import type { Storage } from "../src/storage/ports.js";

/**
 * The storage with every port method wrapped to record `port.method` for each call the core
 * makes. The wrappers call the original ports, so a store's own internal calls are not counted.
 * `join: false` drops `sessions.getWithUser`, as a sessions store without users (Redis) has none.
 */
export function countedStorage(inner: Storage, options: { join?: boolean } = {}) {
  const calls: string[] = [];
  const wrap = (name: string, port: object) => {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(port)) {
      wrapped[key] =
        typeof value === "function"
          ? (...args: unknown[]) => {
              calls.push(`${name}.${key}`);
              return value.apply(port, args);
            }
          : value;
    }
    return wrapped;
  };
  const storage = Object.fromEntries(
    Object.entries(inner).map(([name, port]) => [name, wrap(name, port)]),
  ) as unknown as Storage;
  if (options.join === false) delete storage.sessions.getWithUser;
  return { storage, calls };
}
