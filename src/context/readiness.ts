import { ConfigError } from "../config/config.js";

/**
 * What `createAuth` could not check synchronously: importing token keys is async (WebCrypto),
 * so a bad key is known a moment after start. Until then requests wait; after a failure they
 * are refused with `unavailable`, naming the option, instead of failing at the first token.
 */
export interface Readiness {
  /** Resolves once everything loaded; rejects with the `ConfigError` that stopped it. */
  ready: Promise<void>;
  /** The failure, once known; null while loading or after success. */
  failure(): ConfigError | null;
  /** True once loaded; a synchronous check for the request path. */
  isReady(): boolean;
}

/** Tracks `loading`, turning any failure into a `ConfigError` that names `option`. */
export function trackReadiness(option: string, loading: Promise<unknown>): Readiness {
  let done = false;
  let failed: ConfigError | null = null;
  const ready = loading.then(
    () => {
      done = true;
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      failed =
        error instanceof ConfigError
          ? error
          : new ConfigError({ option, message: `${option}: ${reason}` });
      throw failed;
    },
  );
  // Nobody may be awaiting `ready`: a failure is reported through `failure()` and `auth.ready()`.
  ready.catch(() => {});
  return { ready, failure: () => failed, isReady: () => done };
}
