/**
 * The environment of `portcullis serve`, in process: every variable's check, the defaults, the
 * secrets never echoed, createAuth's issues renamed after the variable, and the help listing
 * every variable the parser reads.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { runCli } from "../../adapters/cli/index.js";
import { serveAuthOptions } from "../../adapters/cli/serve.js";
import {
  fromAuthConfigError,
  parseServeEnv,
  SERVE_VARIABLES,
} from "../../adapters/cli/serve-env.js";
import { handlerPath } from "../../adapters/cli/serve-http.js";
import { ConfigError, createAuth, memoryStorage } from "../../src/index.js";

/** The issues' messages for `env`, or [] when it parses. */
function problems(env: Record<string, string>): string[] {
  try {
    parseServeEnv(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => issue.message);
  }
}

describe("portcullis serve's environment", () => {
  it("runs with nothing set, on the documented defaults", () => {
    const env = parseServeEnv({});
    expect(env).toMatchObject({
      production: false,
      port: 3000,
      host: undefined,
      baseURL: "http://localhost:3000",
      secret: undefined,
      database: { kind: "sqlite", path: "./portcullis.db" },
      migrate: false,
      redis: undefined,
      smtp: undefined,
      trustedOrigins: [],
      trustedProxies: [],
      log: { level: "info", format: "pretty" },
      shutdownTimeoutSeconds: 10,
    });
    expect(
      parseServeEnv({ NODE_ENV: "production", AUTH_SECRET: "s", BASE_URL: "https://a.example" })
        .log,
    ).toEqual({ level: "info", format: "json" });
    // Empty is unset, as a shell's `PORT=` means.
    expect(parseServeEnv({ PORT: "", DATABASE_URL: "" }).port).toBe(3000);
  });

  it("reads every kind of database URL, and refuses other schemes rather than make a file of them", () => {
    expect(parseServeEnv({ DATABASE_URL: "sqlite:./auth.db" }).database).toEqual({
      kind: "sqlite",
      path: "./auth.db",
    });
    expect(parseServeEnv({ DATABASE_URL: "sqlite:///var/lib/auth.db" }).database).toEqual({
      kind: "sqlite",
      path: "/var/lib/auth.db",
    });
    expect(parseServeEnv({ DATABASE_URL: "./auth.db" }).database).toEqual({
      kind: "sqlite",
      path: "./auth.db",
    });
    const url = "postgres://app:pw@db:5432/auth";
    expect(
      parseServeEnv({
        DATABASE_URL: url,
        DATABASE_REPLICA_URL: "postgresql://app:pw@replica/auth",
        DATABASE_SCHEMA: "auth",
        REDIS_URL: "rediss://cache:6380",
        REDIS_PREFIX: "auth:",
        MIGRATE: "TRUE",
      }),
    ).toMatchObject({
      database: {
        kind: "postgres",
        url,
        replicaURL: "postgresql://app:pw@replica/auth",
        schema: "auth",
      },
      redis: { url: "rediss://cache:6380", prefix: "auth:" },
      migrate: true,
    });
    for (const bad of ["mysql://x", "mongodb+srv://x", "file:auth.db"]) {
      const [message] = problems({ DATABASE_URL: bad });
      expect(message).toMatch(/^DATABASE_URL: unsupported scheme "[^"]+:": use sqlite:/);
    }
  });

  it("names each bad variable, all at once", () => {
    expect(
      problems({
        PORT: "abc",
        BASE_URL: "nope",
        LOG_LEVEL: "verbose",
        LOG_FORMAT: "xml",
        MIGRATE: "yes please",
        SHUTDOWN_TIMEOUT: "-1",
        REDIS_URL: "http://cache",
        SMTP_URL: "mailto:x@y",
        EMAIL_FROM: "nobody",
        DATABASE_SCHEMA: 'a"; DROP TABLE x; --',
      }),
    ).toEqual([
      'PORT: must be an integer 1-65535 (got "abc")',
      'BASE_URL: must be an absolute http(s) URL, e.g. https://auth.example.com (got "nope")',
      'DATABASE_SCHEMA: must be a plain SQL identifier (letters, digits, _) (got "a\\"; DROP TABLE x; --")',
      'MIGRATE: must be true or false (got "yes please")',
      'REDIS_URL: must be a redis:// or rediss:// URL, e.g. redis://redis:6379 (got "http://cache/")',
      'SMTP_URL: must be an smtp:// or smtps:// URL (got "mailto:x@y")',
      'EMAIL_FROM: must be an address, e.g. "Acme <no-reply@acme.example>" (got "nobody")',
      'LOG_LEVEL: must be one of debug, info, warn, error, silent (got "verbose")',
      'LOG_FORMAT: must be json or pretty (got "xml")',
      'SHUTDOWN_TIMEOUT: must be an integer 1-3600 (got "-1")',
    ]);
    for (const port of ["0", "65536", "80.5", " 80", "1e3"]) {
      expect(problems({ PORT: port })[0]).toMatch(/^PORT: must be an integer 1-65535/);
    }
    expect(parseServeEnv({ PORT: "65535" }).port).toBe(65535);
  });

  it("never echoes a secret, nor a URL's password", () => {
    const shown = problems({
      DATABASE_URL: "mysql://root:hunter2@db/app",
      REDIS_URL: "http://:hunter2@cache",
      DATABASE_REPLICA_URL: "postgres://u:hunter2@[bad",
    }).join("\n");
    expect(shown).not.toContain("hunter2");
    expect(shown).toContain("mysql://root:***@db/app");
    // The tokens and the secret are checked by createAuth; its messages are renamed, not echoed.
    const renamed = startProblems({
      AUTH_SECRET: "hunter2-too-short",
      METRICS_TOKEN: "hunter2",
      ADMIN_TOKEN: "hunter2",
    });
    expect(renamed).toEqual([
      "AUTH_SECRET: must be at least 32 bytes (got 17)",
      "METRICS_TOKEN: must be at least 16 characters",
      expect.stringMatching(/^ADMIN_TOKEN: /),
    ]);
    expect(renamed.join("\n")).not.toContain("hunter2");
  });

  it("requires AUTH_SECRET and BASE_URL in production, and SMTP_URL's sender", () => {
    expect(problems({ NODE_ENV: "production" })).toEqual([
      expect.stringMatching(/^AUTH_SECRET: required when NODE_ENV=production/),
      expect.stringMatching(/^BASE_URL: required when NODE_ENV=production/),
    ]);
    expect(problems({ SMTP_URL: "smtp://mail:25" })).toEqual([
      expect.stringMatching(/^EMAIL_FROM: required with SMTP_URL/),
    ]);
    expect(
      parseServeEnv({ SMTP_URL: "smtps://u:p@mail", EMAIL_FROM: "Acme <no-reply@acme.example>" })
        .smtp,
    ).toEqual({ url: "smtps://u:p@mail", from: "Acme <no-reply@acme.example>" });
  });

  it("refuses PostgreSQL-only variables with a SQLite database", () => {
    expect(
      problems({ DATABASE_SCHEMA: "auth", DATABASE_REPLICA_URL: "postgres://u@replica/db" }),
    ).toEqual([
      "DATABASE_SCHEMA: is for PostgreSQL only: DATABASE_URL is not a postgres:// URL",
      "DATABASE_REPLICA_URL: is for PostgreSQL only: DATABASE_URL is not a postgres:// URL",
    ]);
  });

  it("splits the comma-separated lists", () => {
    const env = parseServeEnv({
      TRUSTED_ORIGINS: " https://app.example.com, https://admin.example.com ,",
      TRUSTED_PROXIES: "10.0.0.0/8,::1",
    });
    expect(env.trustedOrigins).toEqual(["https://app.example.com", "https://admin.example.com"]);
    expect(env.trustedProxies).toEqual(["10.0.0.0/8", "::1"]);
  });

  it("renames createAuth's issues after the variables they came from", () => {
    expect(
      startProblems({
        TRUSTED_ORIGINS: "https://app.example.com,https://*.example.com",
        TRUSTED_PROXIES: "10.0.0.0/33",
      }),
    ).toEqual([
      expect.stringMatching(/^TRUSTED_ORIGINS: "https:\/\/\*\.example\.com": wildcards/),
      expect.stringMatching(/^TRUSTED_PROXIES: "10\.0\.0\.0\/33" is not an IP address/),
    ]);
    expect(startProblems({ WEBAUTHN_RP_ID: "other.example" })).toEqual([
      'WEBAUTHN_RP_ID: passkey origin http://localhost:3000 is not on passkey.rpID "other.example" or a subdomain of it',
    ]);
    expect(startProblems({ WEBAUTHN_RP_ID: "not a host" })).toEqual([
      "WEBAUTHN_RP_ID: must be a bare host name, e.g. example.com",
    ]);
    // An issue about an option no variable sets keeps its own name.
    const other = fromAuthConfigError(
      new ConfigError({ option: "session.maxAge", message: "session.maxAge: Too small" }),
    );
    expect(other.issues).toEqual([
      { option: "session.maxAge", message: "session.maxAge: Too small" },
    ]);
  });

  it("configures one webhook endpoint from the three WEBHOOK_ variables, together or not at all", () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const env = parseServeEnv({
      WEBHOOK_URL: "https://app.example.com/hooks",
      WEBHOOK_SECRET: secret,
      WEBHOOK_EVENTS: "user.registered, user.deleted",
    });
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const options = serveAuthOptions(env, memoryStorage(), undefined, quiet);
    expect(options.webhooks).toEqual([
      {
        url: "https://app.example.com/hooks",
        secret,
        events: ["user.registered", "user.deleted"],
      },
    ]);
    expect(() => createAuth(options)).not.toThrow();
    expect(serveAuthOptions(parseServeEnv({}), memoryStorage(), undefined, quiet).webhooks).toBe(
      undefined,
    );
    // Alone, each names what it lacks; the secret is never echoed.
    expect(problems({ WEBHOOK_URL: "https://app.example.com/hooks" })).toEqual([
      "WEBHOOK_SECRET: required with WEBHOOK_URL: a webhook needs its URL, secret and events",
      "WEBHOOK_EVENTS: required with WEBHOOK_URL: a webhook needs its URL, secret and events",
    ]);
    expect(problems({ WEBHOOK_SECRET: "whsec_hunter2", WEBHOOK_EVENTS: "*" })).toEqual([
      "WEBHOOK_URL: required with WEBHOOK_SECRET, WEBHOOK_EVENTS: a webhook needs its URL, secret and events",
    ]);
    expect(problems({ WEBHOOK_URL: "hooks.example.com" })[0]).toMatch(/^WEBHOOK_URL: must be/);
    // What createAuth checks (the secret's form, the event names, https in production) is
    // reported under the variable it came from.
    const renamed = startProblems({
      WEBHOOK_URL: "https://app.example.com/hooks",
      WEBHOOK_SECRET: "whsec_hunter2",
      WEBHOOK_EVENTS: "user.registered,user.exploded",
    });
    expect(renamed).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET: must be "whsec_"/),
      expect.stringMatching(/^WEBHOOK_EVENTS: .*user\.exploded/),
    ]);
    expect(renamed.join("\n")).not.toContain("hunter2");
    // createAuth reads production from process.env, as `portcullis serve` leaves it.
    vi.stubEnv("NODE_ENV", "production");
    try {
      expect(
        startProblems({
          NODE_ENV: "production",
          AUTH_SECRET: "x".repeat(32),
          BASE_URL: "https://auth.example.com",
          WEBHOOK_URL: "http://app.example.com/hooks",
          WEBHOOK_SECRET: secret,
          WEBHOOK_EVENTS: "*",
        }),
      ).toEqual([expect.stringMatching(/^WEBHOOK_URL: must be https in production/)]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("lets BASE_URL and the trusted origins on the relying party run passkey ceremonies", () => {
    const options = serveAuthOptions(
      parseServeEnv({
        BASE_URL: "https://auth.example.com",
        WEBAUTHN_RP_ID: "example.com",
        TRUSTED_ORIGINS: "https://app.example.com,https://partner.test",
      }),
      memoryStorage(),
      undefined,
      { debug() {}, info() {}, warn() {}, error() {} },
    );
    // partner.test is trusted for CORS, but a browser would refuse it the rpID example.com.
    expect(options.passkey).toEqual({
      rpID: "example.com",
      origins: ["https://auth.example.com", "https://app.example.com"],
    });
    expect(
      serveAuthOptions(parseServeEnv({}), memoryStorage(), undefined, console).passkey,
    ).toBeUndefined();
  });

  it("maps the top-level probe and scrape paths onto the library's routes", () => {
    expect(handlerPath("/health", "/auth")).toBe("/auth/health");
    expect(handlerPath("/liveness", "/auth")).toBe("/auth/health");
    expect(handlerPath("/readiness?verbose=1", "/auth")).toBe("/auth/ready?verbose=1");
    expect(handlerPath("/metrics", "/auth")).toBe("/auth/metrics");
    expect(handlerPath("/auth/login", "/auth")).toBe("/auth/login");
    expect(handlerPath("http://evil.example/metrics", "/auth")).toBe("/auth/metrics");
    // Nothing else is aliased: not a prefix, not a look-alike, not an inherited property.
    for (const path of ["/health/x", "/HEALTH", "//health", "/constructor", "/ready"]) {
      expect(handlerPath(path, "/auth")).toBe(path);
    }
  });

  it("documents every variable in `portcullis help serve`", async () => {
    let out = "";
    const code = await runCli(["help", "serve"], { out: (text) => (out += text), err: () => {} });
    expect(code).toBe(0);
    expect(out).toContain("Usage: portcullis serve");
    for (const name of Object.keys(SERVE_VARIABLES)) {
      expect(out).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    }
    let listed = "";
    await runCli(["--help"], { out: (text) => (listed += text), err: () => {} });
    expect(listed).toMatch(/^ {2}serve +\S/m);
  });

  it("documents every variable, and only those, in examples/server/README.md", () => {
    const readme = readFileSync(
      new URL("../../examples/server/README.md", import.meta.url),
      "utf8",
    );
    const table = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(table).toEqual(Object.keys(SERVE_VARIABLES));
  });

  it("takes no command-line options", async () => {
    let err = "";
    const code = await runCli(["serve", "--url", "x"], { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err).toContain("serve takes no options");
  });
});

/**
 * What createAuth says of the options serve builds from `vars`, renamed after the variables: the
 * in-process half of `startServer` (storage in memory: only the option checks matter here).
 */
function startProblems(vars: Record<string, string>): string[] {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  try {
    createAuth(serveAuthOptions(parseServeEnv(vars), memoryStorage(), undefined, quiet));
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return fromAuthConfigError(error as ConfigError).issues.map((issue) => issue.message);
  }
}
