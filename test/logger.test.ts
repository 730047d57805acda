import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultLogger } from "../src/util/logger.js";
import { call, makeAuth, PASSWORD, registered } from "./helpers.js";

/** A logger that keeps what it is given, pino's way: `(fields, message)` or `(message)`. */
function recordingLogger() {
  const records: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) => {
      const [first, second] = args;
      records.push({
        level,
        fields:
          typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {},
        message: typeof first === "string" ? first : String(second ?? ""),
      });
    };
  return {
    records,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

describe("logger", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("says at start what is on, and routes every library record through the logger", async () => {
    const { records, logger } = recordingLogger();
    const console = vi.spyOn(globalThis.console, "error");
    const auth = makeAuth({
      logger,
      on: { "user.signed_in": () => Promise.reject(new Error("boom")) },
    });
    const started = records.find((r) => r.message === "portcullis started");
    expect(started?.level).toBe("info");
    expect(started?.fields).toMatchObject({
      baseURL: "http://localhost:3000",
      passkeyRpID: "localhost",
    });
    const { cookie } = await registered(auth, "ada@example.com", PASSWORD);
    const failed = records.find((r) => r.message.includes("listener of user.signed_in failed"));
    expect(failed?.level).toBe("error");
    expect((failed?.fields.err as Error | undefined)?.message).toBe("boom");
    // A storage failure in the guard is logged, not swallowed.
    auth.storage.sessions.get = async () => {
      throw new Error("database is down");
    };
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect(records.some((r) => r.message.startsWith("authenticate failed"))).toBe(true);
    expect(console).not.toHaveBeenCalled();
  });

  it("the default logger writes one JSON line per record in production, at LOG_LEVEL", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(String(line)));
    const logger = defaultLogger({ format: "json", level: "warn" });
    logger.info({ a: 1 }, "dropped below warn");
    logger.error({ err: new Error("disk full"), route: "/login" }, "internal error");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    expect(record).toMatchObject({
      level: "error",
      name: "portcullis",
      msg: "internal error",
      route: "/login",
    });
    expect(record.err).toMatchObject({ name: "Error", message: "disk full" });
    expect(typeof record.time).toBe("string");
  });

  it("production without a mailer warns which email routes are off", () => {
    vi.stubEnv("NODE_ENV", "production");
    const { records, logger } = recordingLogger();
    makeAuth({ logger });
    const warning = records.find((r) => r.level === "warn");
    expect(warning?.message).toMatch(/no mailer in production/);
    expect(warning?.fields.emailFeaturesOff).toEqual(
      expect.arrayContaining(["magicLink", "passwordReset"]),
    );
  });

  it("LOG_LEVEL picks the default logger's level", async () => {
    vi.stubEnv("LOG_LEVEL", "error");
    const lines: unknown[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(line));
    const auth = makeAuth();
    await call(auth, "GET", "/auth/health");
    expect(lines).toEqual([]); // the info line at start is below "error"
  });

  it("nothing in the core writes to the console but the default logger and the console mailer", async () => {
    const { execSync } = await import("node:child_process");
    const hits = execSync(
      "git grep -n -E 'console\\.(log|warn|error|info|debug)' -- src adapters",
      {
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter(Boolean)
      .filter((line) => !/^\S+:\d+:\s*(\*|\/\/)/.test(line.replace(/^([^:]+:\d+:)/, "$1")));
    const files = new Set(hits.map((line) => line.split(":")[0]));
    for (const file of files) {
      expect([
        "src/util/logger.ts",
        "src/mail/console-mailer.ts",
        "adapters/cli/index.ts",
      ]).toContain(file);
    }
    expect(await readFile("src/util/logger.ts", "utf8")).toContain("console.error");
  });
});
