import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthError, ConfigError, errorBody, isAuthError } from "../src/index.js";
import { call, makeAuth, PASSWORD, registered } from "./helpers.js";

/*
 * One context per instance: everything derived from the options is built once by createAuth,
 * and what only fails asynchronously (importing token keys) is reported at start.
 */

/**
 * A well-formed PKCS#8 P-256 key (so createAuth's PEM check passes) whose private value is zero,
 * which WebCrypto refuses to import: a malformed PEM is refused earlier, by createAuth.
 */
const BROKEN_PEM =
  "-----BEGIN PRIVATE KEY-----\nMEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n-----END PRIVATE KEY-----";

describe("readiness", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a key that cannot be imported fails ready() with a ConfigError naming tokens.keys", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const auth = makeAuth({
      tokens: { algorithm: "ES256", keys: [{ kid: "k1", pem: BROKEN_PEM }] },
    });
    const failure = await auth.ready().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String((failure as Error).message)).toMatch(/tokens\.keys/);
    // Reported at start, not at the first token.
    expect(logged.mock.calls.some((args) => String(args[0]).includes("cannot start"))).toBe(true);
  });

  it("a good configuration is ready, and two instances do not share derived state", async () => {
    const first = makeAuth({ secret: "first-secret-that-is-at-least-32-bytes-long" });
    const second = makeAuth({ secret: "second-secret-that-is-at-least-32-bytes-long" });
    await Promise.all([first.ready(), second.ready()]);
    const [a, b] = await Promise.all([first.api.jwks(), second.api.jwks()]);
    expect(a.keys[0]?.x).not.toEqual(b.keys[0]?.x);
  });

  it("with broken keys, token routes answer 503 naming the option, and the guard fails closed", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const auth = makeAuth({
      tokens: { algorithm: "ES256", keys: [{ kid: "k1", pem: BROKEN_PEM }] },
    });
    await auth.ready().catch(() => {});
    const jwks = await call(auth, "GET", "/auth/jwks");
    expect(jwks.status).toBe(503);
    expect(jwks.json?.error).toMatchObject({ code: "unavailable" });
    expect(jwks.json?.error.message).toMatch(/tokens\.keys/);
    expect(await auth.authenticate({ authorization: "Bearer a.b.c" })).toBeNull();
  });

  it("the guard still reads sessions while keys load", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth, "ada@example.com", PASSWORD);
    expect((await auth.authenticate({ cookie }))?.user.email).toBe("ada@example.com");
  });
});

describe("the error model", () => {
  it("recognises an AuthError from another copy of the library by its brand", () => {
    // What the CJS build's AuthError looks like to the ESM build: not instanceof, same brand.
    const foreign = Object.assign(Object.create(Error.prototype), {
      code: "rate_limited",
      [Symbol.for("portcullis.AuthError")]: true,
    });
    expect(foreign instanceof AuthError).toBe(false);
    expect(isAuthError(foreign)).toBe(true);
    expect(isAuthError({ code: "not_a_code", [Symbol.for("portcullis.AuthError")]: true })).toBe(
      false,
    );
    expect(isAuthError(new Error("plain"))).toBe(false);
    expect(isAuthError(new AuthError("forbidden", "No"))).toBe(true);
  });

  it("gives adapters the same error body the handler answers with", async () => {
    const auth = makeAuth();
    const fromHandler = await call(auth, "GET", "/auth/session");
    expect(fromHandler.json).toEqual(errorBody("unauthenticated"));
    expect(errorBody(new AuthError("invalid_request", "x", { issues: [] }))).toEqual({
      error: { code: "invalid_request", message: "x", issues: [] },
    });
  });
});
