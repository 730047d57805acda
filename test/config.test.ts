import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, createAuth, memoryStorage } from "../src/index.js";

const valid = () => ({
  baseURL: "https://app.example.com",
  secret: "s".repeat(32),
  storage: memoryStorage(),
});

function configError(options: unknown): string {
  try {
    createAuth(options as Parameters<typeof createAuth>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("createAuth accepted the options");
}

describe("createAuth options", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("names the option and the reason", () => {
    expect(configError({ ...valid(), secret: "too-short-secret" })).toContain(
      "secret must be at least 32 bytes (got 16)",
    );
    expect(configError({ ...valid(), baseURL: undefined })).toContain("baseURL is required");
    expect(configError({ ...valid(), baseURL: "ftp://x" })).toContain(
      "baseURL must be an absolute http(s) URL",
    );
    expect(configError({ ...valid(), storage: undefined })).toContain("storage is required");
    expect(configError({ ...valid(), trustedOrigins: ["not a url"] })).toContain(
      "trustedOrigins.0",
    );
    expect(configError({ ...valid(), session: { maxAge: 0 } })).toContain("session.maxAge");
    expect(configError({ ...valid(), basePath: "auth/" })).toContain("basePath");
    expect(configError({ ...valid(), passwordHasher: {} })).toContain(
      "passwordHasher must implement",
    );
  });

  it("counts the secret in bytes, not characters", () => {
    expect(configError({ ...valid(), secret: "é".repeat(15) })).toContain("(got 30)");
    expect(() => createAuth({ ...valid(), secret: "é".repeat(16) })).not.toThrow();
  });

  it("names a storage port that is missing", () => {
    const { sessions: _sessions, ...partial } = memoryStorage();
    expect(configError({ ...valid(), storage: partial })).toContain('no "sessions" port');
  });

  it("requires a secret in production, and warns without one in development", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(configError({ ...valid(), secret: undefined })).toContain(
      "secret is required in production",
    );
    vi.stubEnv("NODE_ENV", "development");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    createAuth({ ...valid(), secret: undefined });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("no secret configured"));
    warn.mockRestore();
  });

  it("resolves secure defaults without writing into the caller's object", () => {
    const options = valid();
    const copy = { ...options };
    const auth = createAuth(options);
    expect(options).toEqual(copy);
    expect(auth.config.basePath).toBe("/auth");
    expect(auth.config.secure).toBe(true);
    expect(auth.config.cookieName).toBe("__Host-portcullis.session");
    expect(auth.config.session.maxAge).toBe(30 * 24 * 3600);
    expect(auth.config.password.minLength).toBe(8);
    expect(auth.config.allowedOrigins.has("https://app.example.com")).toBe(true);
  });
});
