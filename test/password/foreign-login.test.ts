import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/config-error.js";
import type { PasswordHasher } from "../../src/index.js";
import { normalizePassword } from "../../src/password/policy.js";
import { newUser } from "../../src/testing/fixtures.js";
import { call, expectSignedIn, fastHasher, makeAuth } from "../helpers.js";
import { foreign, passwordOf } from "./foreign-fixtures.js";

/*
 * Signing in with a hash another stack wrote, through `createAuth`: the first sign-in verifies
 * it and replaces it with the configured hasher's; what cannot be verified is a 401 for the
 * caller and a log line for the operator.
 */

function recordingLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

/** An instance with one user whose stored hash is `passwordHash`. */
async function withImportedUser(
  passwordHash: string,
  options: Parameters<typeof makeAuth>[0] = {},
) {
  const logger = recordingLogger();
  const auth = makeAuth({ logger, ...options });
  const user = await auth.storage.users.create(newUser({ emailVerified: true }), {
    passwordHash,
  });
  return { auth, logger, user };
}

describe("the first sign-in with another stack's hash", () => {
  it.each([
    foreign("bcrypt", "2b"),
    foreign("passlib", "bcrypt 2y", "nfkc"),
    foreign("passlib", "pbkdf2_sha256"),
    foreign("passlib", "bcrypt_sha256", "nfkc"),
    foreign("django", "pbkdf2_sha256", "nfkc"),
    foreign("django", "bcrypt_sha256"),
    foreign("werkzeug", "pbkdf2:sha256"),
    foreign("werkzeug", "scrypt", "nfkc"),
    foreign("better-auth", "scrypt", "nfkc"),
    foreign("argon2-cffi", "argon2i"),
  ])(
    "$library $scheme ($password): signs in, and the hash becomes the configured hasher's",
    async (fixture) => {
      const { auth, user } = await withImportedUser(fixture.hash);
      const password = passwordOf(fixture);
      await expect(
        auth.api.login({ email: user.email, password: "wrong password" }),
      ).rejects.toThrow("Invalid email or password");
      expect(await auth.storage.passwords.get(user.id)).toBe(fixture.hash); // a failure changes nothing

      const signedIn = expectSignedIn(await auth.api.login({ email: user.email, password }));
      expect(signedIn.user.id).toBe(user.id);
      const upgraded = await auth.storage.passwords.get(user.id);
      expect(upgraded).not.toBe(fixture.hash);
      expect(upgraded).toMatch(/^\$pbkdf2-sha256\$i=1000\$/);
      // Made from the NFKC form, as every Portcullis hash is: the user's next sign-in normalises.
      expect(await fastHasher.verify(upgraded as string, normalizePassword(password))).toBe(true);
      await auth.api.login({ email: user.email, password });
      expect(await auth.storage.passwords.get(user.id)).toBe(upgraded);
    },
  );

  it("answers 401 over HTTP for a wrong password, 200 for the right one", async () => {
    const fixture = foreign("django", "bcrypt");
    const { auth, user } = await withImportedUser(fixture.hash);
    const wrong = await call(auth, "POST", "/auth/login", {
      body: { email: user.email, password: "wrong password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json?.error).toMatchObject({ code: "invalid_credentials" });
    const right = await call(auth, "POST", "/auth/login", {
      body: { email: user.email, password: passwordOf(fixture) },
    });
    expect(right.status).toBe(200);
  });
});

describe("NFKC and imported hashes", () => {
  const raw = passwordOf(foreign("django", "pbkdf2_sha256", "nfkc"));

  it("falls back to the password as typed for a foreign hash made from it", async () => {
    const fixture = foreign("werkzeug", "pbkdf2:sha1", "nfkc");
    const { auth, user } = await withImportedUser(fixture.hash);
    await expect(auth.api.login({ email: user.email, password: raw })).resolves.toBeTruthy();
  });

  it("never falls back for Portcullis's own hashes: they were made from the NFKC form", async () => {
    // An own-format hash of the raw password (Portcullis never writes one) stays unreachable.
    const { auth, user } = await withImportedUser(await fastHasher.hash(raw));
    await expect(auth.api.login({ email: user.email, password: raw })).rejects.toThrow(
      "Invalid email or password",
    );
  });
});

describe("a hash nobody can verify", () => {
  it("is a 401 for the caller and a warning naming its format, never the hash", async () => {
    const stored = "$1$saltsalt$qp3P/cVn9YI3Tqlwj1Hv.1";
    const { auth, logger, user } = await withImportedUser(stored);
    const response = await call(auth, "POST", "/auth/login", {
      body: { email: user.email, password: "whatever it was" },
    });
    expect(response.status).toBe(401);
    expect(response.json?.error).toMatchObject({ code: "invalid_credentials" });
    expect(JSON.stringify(response.json)).not.toContain("$1$");
    expect(logger.warn).toHaveBeenCalledWith(
      { userId: user.id, hashFormat: "$1$" },
      expect.stringContaining("unrecognised format $1$"),
    );
    const logged = JSON.stringify([
      logger.warn.mock.calls,
      logger.info.mock.calls,
      logger.error.mock.calls,
    ]);
    expect(logged).not.toContain("qp3P");
    expect(logged).not.toContain("saltsalt");
  });

  it("never logs a plaintext password that sits in the hash column", async () => {
    const { auth, logger, user } = await withImportedUser("hunter2hunter2");
    await expect(
      auth.api.login({ email: user.email, password: "hunter2hunter2" }),
    ).rejects.toThrow();
    expect(logger.warn).toHaveBeenCalledWith(
      { userId: user.id, hashFormat: "(no scheme prefix)" },
      expect.any(String),
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain("hunter2");
  });

  it("costs what a wrong password costs: one hash, as for an unknown email", async () => {
    const verify = vi.fn(fastHasher.verify);
    const counted: PasswordHasher = { ...fastHasher, verify };
    const { auth, user } = await withImportedUser("$1$saltsalt$qp3P/cVn9YI3Tqlwj1Hv.1", {
      passwordHasher: counted,
    });
    await expect(auth.api.login({ email: user.email, password: "pw-one" })).rejects.toThrow();
    const forUnverifiable = verify.mock.calls.length;
    verify.mockClear();
    await expect(
      auth.api.login({ email: "nobody@example.com", password: "pw-one" }),
    ).rejects.toThrow();
    expect(forUnverifiable).toBe(1);
    expect(verify.mock.calls.length).toBe(forUnverifiable);
  });
});

describe("password.maxArgon2MemoryKiB", () => {
  it("lets Django's default Argon2 (100 MiB, p=8) sign in by default, in pure JS", {
    timeout: 180_000,
  }, async () => {
    const fixture = foreign("django", "argon2 default");
    expect(fixture.hash).toMatch(/^argon2\$argon2id\$v=19\$m=102400,t=2,p=8\$/);
    const { auth, user } = await withImportedUser(fixture.hash);
    await auth.api.login({ email: user.email, password: passwordOf(fixture) });
    expect(await auth.storage.passwords.get(user.id)).toMatch(/^\$pbkdf2-sha256\$/);
  });

  it("refuses a hash above it with a 401 and a warning naming the option", async () => {
    const fixture = foreign("django", "argon2 default");
    const { auth, logger, user } = await withImportedUser(fixture.hash, {
      password: { maxArgon2MemoryKiB: 65_536 },
    });
    const started = performance.now();
    const response = await call(auth, "POST", "/auth/login", {
      body: { email: user.email, password: passwordOf(fixture) },
    });
    expect(response.status).toBe(401);
    expect(performance.now() - started).toBeLessThan(5_000); // the 100 MiB hash never ran
    expect(logger.warn).toHaveBeenCalledWith(
      { userId: user.id, hashFormat: "Django argon2id" },
      expect.stringContaining("above password.maxArgon2MemoryKiB (65536)"),
    );
    expect(await auth.storage.passwords.get(user.id)).toBe(fixture.hash);
  });

  it("refuses argon2-cffi's 1 GiB hash under the default", async () => {
    const fixture = foreign("argon2-cffi", "argon2id 1 GiB");
    const { auth, logger, user } = await withImportedUser(fixture.hash);
    await expect(
      auth.api.login({ email: user.email, password: passwordOf(fixture) }),
    ).rejects.toThrow("Invalid email or password");
    expect(logger.warn).toHaveBeenCalledWith(
      { userId: user.id, hashFormat: "argon2id" },
      expect.stringContaining(
        "m=1048576 KiB of memory, above password.maxArgon2MemoryKiB (262144)",
      ),
    );
  });

  it("is checked at startup, naming the option", () => {
    for (const maxArgon2MemoryKiB of [512, 4_194_304, 1.5]) {
      let error: unknown;
      try {
        makeAuth({ password: { maxArgon2MemoryKiB } });
      } catch (caught) {
        error = caught;
      }
      expect(error, String(maxArgon2MemoryKiB)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain("password.maxArgon2MemoryKiB");
    }
  });
});
