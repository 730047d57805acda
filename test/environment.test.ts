import { afterEach, describe, expect, it, vi } from "vitest";
import { isProduction } from "../src/config/environment.js";
import { ConfigError, createAuth, memoryStorage } from "../src/index.js";

/*
 * Where there is no environment to read (Workers without nodejs_compat, Deno without
 * --allow-env), a deployment must not get development's forgiving defaults: it counts as
 * production unless it is served from a loopback address.
 */
describe("production, where NODE_ENV cannot be read", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Runs `fn` as if on a runtime without `process` (restored before anything awaits). */
  function withoutProcess<T>(fn: () => T): T {
    vi.stubGlobal("process", undefined);
    try {
      return fn();
    } finally {
      vi.unstubAllGlobals();
    }
  }

  it("is production for a public baseURL, development for a loopback one", () => {
    expect(withoutProcess(() => isProduction("https://app.example.com"))).toBe(true);
    expect(withoutProcess(() => isProduction(undefined))).toBe(true);
    for (const local of [
      "http://localhost:8787",
      "http://app.localhost:3000",
      "http://127.0.0.1:3000",
      "http://[::1]:3000",
    ]) {
      expect(withoutProcess(() => isProduction(local))).toBe(false);
    }
  });

  it("treats an environment that throws when read (Deno without --allow-env) the same way", () => {
    const denied = new Proxy(
      {},
      {
        get() {
          throw new Error("Requires env access");
        },
      },
    );
    vi.stubGlobal("process", { env: denied });
    try {
      expect(isProduction("https://app.example.com")).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("makes createAuth require a secret on a deployed worker, as NODE_ENV=production does", () => {
    const start = (baseURL: string) => () => createAuth({ baseURL, storage: memoryStorage() });
    expect(() => withoutProcess(start("https://app.example.com"))).toThrow(ConfigError);
    expect(() => withoutProcess(start("https://app.example.com"))).toThrow(
      /secret is required in production/,
    );
    expect(withoutProcess(start("http://localhost:8787")).handler).toBeTypeOf("function");
  });

  it("keeps reading NODE_ENV where it can: unset on Node is development", () => {
    vi.stubEnv("NODE_ENV", "");
    expect(isProduction("https://app.example.com")).toBe(false);
    vi.stubEnv("NODE_ENV", "production");
    expect(isProduction("http://localhost:3000")).toBe(true);
    vi.unstubAllEnvs();
  });
});
