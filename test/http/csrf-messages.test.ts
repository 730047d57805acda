import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, makeAuth } from "../helpers.js";

/*
 * What a CSRF rejection says: the origin it saw, to the client (production too); and, outside
 * production, one warning per distinct rejected origin with the trusted ones and the fix.
 */

const login = { email: "ada@example.com", password: "wrong password, does not matter" };

describe("csrf_rejected says what it saw", () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    // The default logger writes every level to stderr, readable in development.
    warn = vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => {
    warn.mockRestore();
    vi.unstubAllEnvs();
  });

  const warnings = () =>
    warn.mock.calls
      .map((args: unknown[]) => String(args[0]))
      .filter((line: string) => line.startsWith("[portcullis] warn: "))
      .map((line: string) => line.replace("[portcullis] warn: ", "[portcullis] "));

  it("names the untrusted origin in the answer and warns once per origin with the fix", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const auth = makeAuth({ trustedOrigins: ["https://admin.example.com"] });
    const first = await call(auth, "POST", "/auth/login", {
      body: login,
      origin: "http://127.0.0.1:3000",
    });
    expect(first.status).toBe(403);
    expect(first.json?.error).toEqual({
      code: "csrf_rejected",
      message: "Request origin http://127.0.0.1:3000 is not trusted",
    });
    expect(warnings()).toEqual([
      "[portcullis] origin http://127.0.0.1:3000 is not trusted; trusted are [http://localhost:3000, https://admin.example.com]; set baseURL or add it to trustedOrigins",
    ]);

    await call(auth, "POST", "/auth/login", { body: login, origin: "http://127.0.0.1:3000" });
    expect(warnings()).toHaveLength(1);
    await call(auth, "POST", "/auth/login", { body: login, origin: "http://[::1]:3000" });
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toContain("origin http://[::1]:3000 is not trusted");

    // Another instance has its own memory of what it warned about.
    await call(makeAuth(), "POST", "/auth/login", { body: login, origin: "http://127.0.0.1:3000" });
    expect(warnings()).toHaveLength(3);
  });

  it("bounds how many origins it warns about, so a client varying Origin cannot flood the log", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const auth = makeAuth();
    for (let i = 0; i < 120; i++) {
      await call(auth, "POST", "/auth/login", { body: login, origin: `https://x${i}.example` });
    }
    expect(warnings()).toHaveLength(100);
  });

  it("does not log in production, and keeps the answer short and printable", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const auth = makeAuth();
    const long = `https://${"a".repeat(300)}.example`;
    const answer = await call(auth, "POST", "/auth/login", { body: login, origin: long });
    expect(answer.status).toBe(403);
    const message = answer.json?.error.message as string;
    expect(message.length).toBeLessThan(150);
    expect(message).toMatch(/^Request origin https:\/\/a+\.\.\. is not trusted$/);
    expect(warnings()).toEqual([]);
  });

  it("says what it saw when there is no Origin", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const auth = makeAuth();
    const crossSite = await call(auth, "POST", "/auth/logout", {
      origin: null,
      headers: { "sec-fetch-site": "cross-site" },
      cookie: "portcullis.session=x.y",
    });
    expect(crossSite.json?.error).toEqual({
      code: "csrf_rejected",
      message: "Request is not same-origin (Sec-Fetch-Site: cross-site) and has no Origin",
    });
    const bare = await call(auth, "POST", "/auth/logout", {
      origin: null,
      cookie: "portcullis.session=x.y",
    });
    expect(bare.json?.error).toEqual({
      code: "csrf_rejected",
      message: "Request with a cookie has neither Origin nor Sec-Fetch-Site",
    });
    expect(warnings()).toEqual([]);
  });

  it("still lets trusted origins, same-origin fetches and Bearer requests through", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const auth = makeAuth({ trustedOrigins: ["https://admin.example.com"] });
    for (const origin of ["http://localhost:3000", "https://admin.example.com"]) {
      const answer = await call(auth, "POST", "/auth/login", { body: login, origin });
      expect(answer.json?.error.code).toBe("invalid_credentials");
    }
    const sameOrigin = await call(auth, "POST", "/auth/login", {
      body: login,
      origin: null,
      headers: { "sec-fetch-site": "same-origin" },
      cookie: "portcullis.session=x.y",
    });
    expect(sameOrigin.json?.error.code).toBe("invalid_credentials");
    const bearer = await call(auth, "POST", "/auth/logout", {
      origin: "https://evil.example",
      bearer: "not-a-token",
    });
    expect(bearer.json?.error.code).not.toBe("csrf_rejected");
    expect(warnings()).toEqual([]);
  });
});
