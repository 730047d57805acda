import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../src/config/config.js";
import { ConfigError, consoleMailer, createAuth, memoryStorage } from "../src/index.js";

const valid = () => ({
  baseURL: "https://app.example.com",
  secret: "s".repeat(32),
  storage: memoryStorage(),
});

function thrown(options: unknown): ConfigError {
  try {
    createAuth(options as Parameters<typeof createAuth>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("createAuth accepted the options");
}

function configError(options: unknown): string {
  return thrown(options).message;
}

// The variables createAuth reads must not leak in from the shell that runs the tests.
beforeEach(() => {
  vi.stubEnv("AUTH_URL", undefined);
  vi.stubEnv("AUTH_SECRET", undefined);
});
afterEach(() => vi.unstubAllEnvs());

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

  it("names the storage ports that are missing, in one issue", () => {
    const { sessions: _sessions, ...partial } = memoryStorage();
    expect(configError({ ...valid(), storage: partial })).toContain(
      "storage is missing the port: sessions: combine adapters, e.g. { ...postgresStorage({ pool }), sessions: redisSessions(redis) }",
    );
    const { passwords: _p, sessions: _s, outbox: _o, ...partial3 } = memoryStorage();
    const error = thrown({ ...valid(), storage: partial3 });
    expect(error.issues).toEqual([
      {
        option: "storage",
        message: expect.stringMatching(
          /^storage is missing the ports: passwords, sessions, outbox: combine adapters, e\.g\. /,
        ),
      },
    ]);
  });

  it("says what is wrong with a storage that is not an adapter", () => {
    const issue = (storage: unknown) => thrown({ ...valid(), storage }).issues;
    expect(issue(memoryStorage)).toEqual([
      {
        option: "storage",
        message: "storage is a function: call it, e.g. storage: memoryStorage()",
      },
    ]);
    expect(issue(function sqliteStorage() {})[0]?.message).toBe(
      "storage is a function: call it, e.g. storage: sqliteStorage(...)",
    );
    // A name a bundler made up is not shown.
    expect(issue(function e() {})[0]?.message).toBe(
      "storage is a function: call it, e.g. storage: memoryStorage()",
    );
    expect(issue("sqlite:./x.db")[0]?.message).toBe(
      "storage is a string: pass a storage adapter, e.g. sqliteStorage({ path })",
    );
    // A database URL is never echoed: it may hold a password.
    const url = issue("postgres://app:hunter2@db/app")[0]?.message;
    expect(url).toContain("storage is a string: pass a storage adapter, e.g. postgresStorage(");
    expect(url).not.toContain("hunter2");
    expect(issue(Promise.resolve(memoryStorage()))[0]?.message).toBe(
      "storage is a Promise: await the adapter before createAuth",
    );
    expect(issue({})[0]?.message).toMatch(/^storage is not a storage adapter \(it has none/);
    expect(issue(42)[0]?.message).toMatch(/^storage is a number: /);
    expect(issue(undefined)[0]?.message).toMatch(/^storage is required: pass memoryStorage\(\)/);
  });

  it("refuses wildcard origins and trusted proxies that are not addresses", () => {
    for (const wildcard of ["*", "https://*.example.com"]) {
      const error = thrown({ ...valid(), trustedOrigins: ["https://ok.example.com", wildcard] });
      expect(error.option).toBe("trustedOrigins.1");
      expect(error.message).toContain("wildcards are not supported: list each origin");
    }
    expect(
      thrown({ ...valid(), passkey: { origins: ["https://*.example.com"] } }).message,
    ).toContain("wildcards are not supported");
    const proxy = thrown({ ...valid(), trustedProxies: ["10.0.0.0/8", "not-an-ip"] });
    expect(proxy.option).toBe("trustedProxies.1");
    expect(proxy.message).toContain('"not-an-ip" is not an IP address or CIDR range');
  });

  it("requires a secret in production, and warns without one in development", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(configError({ ...valid(), secret: undefined })).toContain(
      "secret is required in production",
    );
    vi.stubEnv("NODE_ENV", "development");
    const warn = vi.fn();
    const logger = { debug: () => {}, info: () => {}, warn, error: () => {} };
    createAuth({ ...valid(), secret: undefined, logger });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("no secret configured"));
  });

  it("resolves secure defaults without writing into the caller's object", () => {
    const options = valid();
    const copy = { ...options };
    const auth = createAuth(options);
    expect(options).toEqual(copy);
    expect(auth.config.basePath).toBe("/auth");
    expect(auth.config.secure).toBe(true);
    expect(auth.config.cookieName).toBe("__Host-portcullis.session");
    const resolved = resolveConfig(options);
    expect(resolved.session.maxAge).toBe(30 * 24 * 3600);
    expect(resolved.password.minLength).toBe(8);
    expect(resolved.allowedOrigins.has("https://app.example.com")).toBe(true);
  });
});

describe("options from the environment", () => {
  const storageOnly = () => ({ storage: memoryStorage() });
  const SECRET = "e".repeat(43);

  it("reads AUTH_SECRET and AUTH_URL when the options leave them out", () => {
    vi.stubEnv("AUTH_URL", "https://env.example.com");
    vi.stubEnv("AUTH_SECRET", SECRET);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const resolved = resolveConfig(storageOnly());
      expect(resolved.baseURL).toBe("https://env.example.com");
      expect(resolved.origin).toBe("https://env.example.com");
      expect(resolved.secret).toBe(SECRET);
      expect(createAuth(storageOnly()).config.baseURL).toBe("https://env.example.com");
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("lets the options win over the environment", () => {
    vi.stubEnv("AUTH_URL", "https://env.example.com");
    vi.stubEnv("AUTH_SECRET", "too short, and not used");
    const resolved = resolveConfig(valid());
    expect(resolved.baseURL).toBe("https://app.example.com");
    expect(resolved.secret).toBe("s".repeat(32));
  });

  it("falls back to BASE_URL only when it is an absolute URL, not a path", () => {
    vi.stubEnv("AUTH_SECRET", SECRET);
    vi.stubEnv("BASE_URL", "http://localhost:4000");
    expect(resolveConfig(storageOnly()).baseURL).toBe("http://localhost:4000");
    vi.stubEnv("AUTH_URL", "http://localhost:5000");
    expect(resolveConfig(storageOnly()).baseURL).toBe("http://localhost:5000");
    vi.stubEnv("AUTH_URL", undefined);
    vi.stubEnv("BASE_URL", "/"); // what Vite (and Vitest) set: a base path, not an origin
    expect(thrown(storageOnly()).issues).toEqual([
      {
        option: "baseURL",
        message:
          "baseURL is required: pass baseURL or set AUTH_URL (the origin of your app, e.g. http://localhost:3000)",
      },
    ]);
  });

  it("names both the option and the variable when neither is set", () => {
    const error = thrown({ storage: memoryStorage(), sesion: {} });
    expect(error.issues.map((issue) => issue.option)).toEqual(["sesion", "baseURL"]);
    expect(error.message).toContain("baseURL is required: pass baseURL or set AUTH_URL");
    vi.stubEnv("NODE_ENV", "production");
    const production = thrown({ storage: memoryStorage() });
    expect(production.issues.map((issue) => issue.option)).toEqual(["baseURL", "secret"]);
    expect(production.issues[1]?.message).toBe(
      "secret is required in production: pass secret or set AUTH_SECRET (npx portcullis secret makes one)",
    );
  });

  it("says which variable a bad value came from, and takes an empty one as unset", () => {
    vi.stubEnv("AUTH_URL", "localhost:3000");
    vi.stubEnv("AUTH_SECRET", "short");
    const error = thrown(storageOnly());
    expect(error.issues).toEqual([
      {
        option: "baseURL",
        message:
          "baseURL must be an absolute http(s) URL, e.g. http://localhost:3000 (from AUTH_URL)",
      },
      { option: "secret", message: "secret must be at least 32 bytes (got 5) (from AUTH_SECRET)" },
    ]);
    vi.stubEnv("AUTH_URL", "");
    vi.stubEnv("AUTH_SECRET", "");
    vi.stubEnv("NODE_ENV", "production");
    expect(thrown(storageOnly()).issues.map((issue) => issue.option)).toEqual([
      "baseURL",
      "secret",
    ]);
  });

  it("runs where there is no process, or where reading it throws", () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
    if (!descriptor) throw new Error("expected a process global");
    const resolveWith = (process: PropertyDescriptor) => {
      Object.defineProperty(globalThis, "process", { ...process, configurable: true });
      try {
        return resolveConfig(valid()).baseURL;
      } finally {
        Object.defineProperty(globalThis, "process", descriptor);
      }
    };
    expect(resolveWith({ value: undefined })).toBe("https://app.example.com");
    expect(
      resolveWith({
        get() {
          throw new Error("PermissionDenied: env access");
        },
      }),
    ).toBe("https://app.example.com");
  });
});

describe("unknown options", () => {
  it("names a misspelt top-level option and suggests the right one", () => {
    const error = thrown({ ...valid(), sesion: { maxAge: 3600 } });
    expect(error.message).toBe(
      'Invalid Portcullis config: unknown option "sesion" (did you mean "session"?)',
    );
    expect(error.option).toBe("sesion");
    expect(error.issues).toEqual([
      { option: "sesion", message: expect.stringContaining("sesion") },
    ]);
  });

  it("names a misspelt nested option by its whole path, at every level", () => {
    const session = thrown({ ...valid(), session: { maxage: 3600 } });
    expect(session.option).toBe("session.maxage");
    expect(session.message).toContain('unknown option "session.maxage"');
    expect(session.message).toContain('did you mean "session.maxAge"?');

    const perIP = thrown({ ...valid(), rateLimit: { perIP: { ipv6prefix: 48 } } });
    expect(perIP.option).toBe("rateLimit.perIP.ipv6prefix");
    expect(perIP.message).toContain('did you mean "rateLimit.perIP.ipv6Prefix"?');

    const failures = thrown({ ...valid(), rateLimit: { loginFailures: { maxConsecutve: 50 } } });
    expect(failures.option).toBe("rateLimit.loginFailures.maxConsecutve");

    const magicLink = thrown({ ...valid(), magicLink: { confrim: true } });
    expect(magicLink.message).toContain('did you mean "magicLink.confirm"?');

    const key = thrown({
      ...valid(),
      tokens: { algorithm: "HS256", keys: [{ kid: "k1", secret: "k".repeat(32), use: "sig" }] },
    });
    expect(key.option).toBe("tokens.keys.0.use");
    expect(key.message).toContain('"tokens.keys.0" takes kid, alg, jwk, pem, secret');
  });

  it("suggests an option of that name elsewhere, or lists what the level takes", () => {
    expect(configError({ ...valid(), rpID: "example.com" })).toContain(
      'unknown option "rpID" (did you mean "passkey.rpID"?)',
    );
    expect(configError({ ...valid(), session: { lifetime: 60 } })).toContain(
      '"session" takes cookieName, cookieDomain, maxAge, updateAge, absoluteLifetime, freshAge',
    );
    expect(configError({ ...valid(), plugins: [] })).toContain('unknown option "plugins"');
  });

  it("says where a moved option went", () => {
    const error = thrown({ ...valid(), emailChange: { freshAge: 300 } });
    expect(error.option).toBe("emailChange.freshAge");
    expect(error.message).toContain("emailChange.freshAge is now session.freshAge");
  });

  it("never checks the keys of objects the user hands in", () => {
    const storage = Object.assign(memoryStorage(), { extraPort: {}, close() {} });
    const mailer = Object.assign(consoleMailer(), { transport: "smtp", verify() {} });
    const hasher = {
      id: "plain",
      hash: async (password: string) => password,
      verify: async () => false,
      needsRehash: () => false,
      extra: true,
    };
    expect(() =>
      createAuth({
        ...valid(),
        storage,
        mailer,
        passwordHasher: hasher,
        clock: Object.assign({ now: () => Date.now() }, { advance() {} }),
        random: Object.assign(
          { fill: (bytes: Uint8Array) => crypto.getRandomValues(bytes) },
          {
            seed: 1,
          },
        ),
        emailTemplates: {
          "magic-link": () => ({ subject: "s", text: "t", html: "h" }),
        },
        tokens: {
          algorithm: "HS256",
          keys: [{ kid: "k1", jwk: { kty: "oct", k: "k".repeat(64), use: "sig", ext: true } }],
        },
      } as Parameters<typeof createAuth>[0]),
    ).not.toThrow();
  });
});

describe("ConfigError", () => {
  it("gives the first bad option and every issue, keeping the message format", () => {
    const error = thrown({
      ...valid(),
      secret: "too-short",
      trustedOrigins: ["https://ok.example.com", "not a url"],
      session: { maxAge: 3600, updateAge: 7200 },
      sesion: {},
    });
    expect(error.name).toBe("ConfigError");
    expect(error.option).toBe("sesion");
    expect(error.issues.map((issue) => issue.option)).toEqual([
      "sesion",
      "secret",
      "trustedOrigins.1",
      "session.updateAge",
    ]);
    expect(error.message).toBe(
      `Invalid Portcullis config: ${error.issues.map((issue) => issue.message).join("; ")}`,
    );
    expect(error.issues[1]).toEqual({
      option: "secret",
      message: "secret must be at least 32 bytes (got 9)",
    });
    expect(error.issues[2]?.message).toMatch(/^trustedOrigins\.1: "not a url" is not an http/);
  });

  it("names nested options by their dotted path", () => {
    const error = thrown({ ...valid(), session: { maxAge: 0 } });
    expect(error.option).toBe("session.maxAge");
    expect(error.message).toMatch(/^Invalid Portcullis config: session\.maxAge: /);
    expect(thrown({ ...valid(), rateLimit: { perIP: { ipv6Prefix: 16 } } }).option).toBe(
      "rateLimit.perIP.ipv6Prefix",
    );
    expect(thrown({ ...valid(), tokens: { algorithm: "ES256" } }).option).toBe("tokens.keys");
  });

  it("can be made from issues or from a message", () => {
    const error = new ConfigError({ option: "tokens.keys", message: "tokens.keys: bad key" });
    expect(error.message).toBe("Invalid Portcullis config: tokens.keys: bad key");
    expect(error.option).toBe("tokens.keys");
    const legacy = new ConfigError("Invalid Portcullis config: something is wrong");
    expect(legacy.message).toBe("Invalid Portcullis config: something is wrong");
    expect(legacy.issues).toEqual([{ option: "", message: "something is wrong" }]);
  });
});

describe("every startup check happens in createAuth", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("email features turned on without a mailer in production", () => {
    vi.stubEnv("NODE_ENV", "production");
    const error = thrown({
      ...valid(),
      magicLink: { enabled: true },
      passwordReset: { enabled: true },
      emailChange: { enabled: true },
      emailVerification: { required: true },
    });
    expect(error.issues).toEqual([
      { option: "magicLink.enabled", message: "magicLink.enabled needs a mailer in production" },
      {
        option: "passwordReset.enabled",
        message: "passwordReset.enabled needs a mailer in production",
      },
      {
        option: "emailChange.enabled",
        message: "emailChange.enabled needs a mailer in production",
      },
      {
        option: "emailVerification.required",
        message: "emailVerification.sendOnRegister/required needs a mailer in production",
      },
    ]);
    expect(thrown({ ...valid(), emailVerification: { sendOnRegister: true } }).option).toBe(
      "emailVerification.sendOnRegister",
    );
  });

  it("resolves which email features are on", () => {
    expect(resolveConfig(valid()).emailFeatures).toEqual({
      magicLink: true,
      passwordReset: true,
      emailChange: true,
      emailVerification: true,
    });
    vi.stubEnv("NODE_ENV", "production");
    expect(resolveConfig(valid()).emailFeatures).toEqual({
      magicLink: false,
      passwordReset: false,
      emailChange: false,
      emailVerification: false,
    });
    const withMailer = resolveConfig({
      ...valid(),
      mailer: consoleMailer(),
      emailChange: { enabled: false },
    });
    expect(withMailer.emailFeatures).toMatchObject({ magicLink: true, emailChange: false });
  });

  it("pages off baseURL and the trusted origins", () => {
    const pages = {
      "emailVerification.redirectTo": {
        emailVerification: { redirectTo: "https://evil.example/" },
      },
      "emailChange.redirectTo": { emailChange: { redirectTo: "//evil.example/x" } },
      "passwordReset.url": { passwordReset: { url: "javascript:alert(1)" } },
      "magicLink.confirmPage": {
        magicLink: { confirm: true, confirmPage: "https://evil.example" },
      },
    };
    for (const [option, overrides] of Object.entries(pages)) {
      const error = thrown({ ...valid(), ...overrides });
      expect(error.option, option).toBe(option);
      expect(error.message).toContain(`${option} must be a path or a URL on baseURL`);
    }
    expect(() =>
      createAuth({
        ...valid(),
        trustedOrigins: ["https://www.example.com"],
        passwordReset: { url: "https://www.example.com/reset" },
        magicLink: { confirmPage: "/confirm" },
      }),
    ).not.toThrow();
  });

  it("passkey origins that are not on the rpID, and resolves the relying party", () => {
    const rpID = thrown({ ...valid(), passkey: { rpID: "other.com" } });
    expect(rpID.option).toBe("passkey.rpID");
    expect(rpID.message).toContain(
      'passkey origin https://app.example.com is not on passkey.rpID "other.com"',
    );
    const origins = thrown({
      ...valid(),
      passkey: { origins: ["https://app.example.com", "https://evil.example"] },
    });
    expect(origins.option).toBe("passkey.origins.1");

    const resolved = resolveConfig({
      ...valid(),
      appName: "Acme",
      passkey: { rpID: "Example.com", origins: ["https://login.example.com/"] },
    });
    expect(resolved.passkey).toMatchObject({
      rpID: "example.com",
      rpName: "Acme",
      origins: ["https://login.example.com"],
    });
    expect(resolveConfig(valid()).passkey).toMatchObject({
      rpID: "app.example.com",
      rpName: "app.example.com",
      origins: ["https://app.example.com"],
    });
  });

  it("reports the production secret together with the other checks", () => {
    vi.stubEnv("NODE_ENV", "production");
    const error = thrown({
      ...valid(),
      secret: undefined,
      passkey: { rpID: "other.com" },
      magicLink: { enabled: true },
    });
    expect(error.issues.map((issue) => issue.option)).toEqual([
      "secret",
      "passkey.rpID",
      "magicLink.enabled",
    ]);
  });
});
