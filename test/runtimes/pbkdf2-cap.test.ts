/**
 * The PBKDF2 cap of Cloudflare Workers, on Node: the runtime is recognised by its user agent
 * (navigator.userAgent is "Cloudflare-Workers" there, in production as in local workerd), so a
 * stubbed navigator is the whole difference. workerd.test.ts proves the same inside workerd.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { argon2id, ConfigError, createAuth, memoryStorage, pbkdf2 } from "../../src/index.js";
import {
  pbkdf2IterationCap,
  WORKERS_PBKDF2_MAX_ITERATIONS,
} from "../../src/password/runtime-limits.js";

const options = {
  baseURL: "https://example.com",
  secret: "runtime-limits-secret-at-least-32-bytes",
  storage: memoryStorage(),
  logger: { debug() {}, info() {}, warn() {}, error() {} },
};

function onWorkers() {
  vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}

describe("on Cloudflare Workers", () => {
  it("refuses the default pbkdf2() at setup, naming the option and both ways out", () => {
    onWorkers();
    expect(pbkdf2IterationCap()).toBe(100_000);
    const error = thrown(() => pbkdf2());
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe("passwordHasher");
    const { message } = error as ConfigError;
    expect(message).toContain("600000 iterations");
    expect(message).toContain("argon2id()");
    expect(message).toContain("pbkdf2({ iterations: 100000, dangerouslyWeak: true })");
  });

  it("refuses it at createAuth too, when the hasher is left to the default", () => {
    onWorkers();
    expect(thrown(() => createAuth(options))).toBeInstanceOf(ConfigError);
  });

  it("accepts the cap itself only through dangerouslyWeak, and nothing above it", () => {
    onWorkers();
    const weak = { iterations: WORKERS_PBKDF2_MAX_ITERATIONS, dangerouslyWeak: true };
    expect(thrown(() => pbkdf2(weak))).toBeNull();
    // Without the flag the usual floor still refuses it: the weaker choice is always explicit.
    expect(thrown(() => pbkdf2({ iterations: WORKERS_PBKDF2_MAX_ITERATIONS }))).toBeInstanceOf(
      ConfigError,
    );
    expect(thrown(() => pbkdf2({ ...weak, iterations: 100_001 }))).toBeInstanceOf(ConfigError);
  });

  it("leaves argon2id() alone, and createAuth works with either alternative", () => {
    onWorkers();
    expect(thrown(() => argon2id())).toBeNull();
    // Weak parameters only so that the instance's background dummy hash costs nothing here.
    const fastArgon = argon2id({ memoryCost: 64, timeCost: 1, dangerouslyWeak: true });
    expect(() => createAuth({ ...options, passwordHasher: fastArgon })).not.toThrow();
    expect(() =>
      createAuth({
        ...options,
        passwordHasher: pbkdf2({ iterations: 100_000, dangerouslyWeak: true }),
      }),
    ).not.toThrow();
  });
});

describe("elsewhere", () => {
  it("knows no cap, and keeps OWASP's 600,000 as the default", () => {
    for (const userAgent of [undefined, "Node.js/22", "Bun/1.4.5", "Deno/2.9.6"]) {
      vi.stubGlobal("navigator", userAgent === undefined ? undefined : { userAgent });
      expect(pbkdf2IterationCap()).toBeNull();
      expect(thrown(() => pbkdf2())).toBeNull();
    }
  });
});
