import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { PasswordHasher } from "../../src/password/hasher.js";
import { inspectStoredHash, passwordHashing } from "../../src/password/hashing.js";
import { pbkdf2 } from "../../src/password/pbkdf2.js";
import { normalizePassword } from "../../src/password/policy.js";
import { hashPrefix } from "../../src/password/stored-hash.js";
import { verifyStoredPassword } from "../../src/password/verify-stored.js";
import { FOREIGN, foreign, isCostly, passwordOf } from "./foreign-fixtures.js";

/*
 * The verifiers of other stacks' hashes, against hashes those stacks' own libraries made
 * (fixtures/generate.py). Each format must accept the right password and refuse a wrong one;
 * what cannot be verified must be refused before any hashing, with a reason.
 */

const fastPbkdf2 = pbkdf2({ iterations: 1000, dangerouslyWeak: true });
/** What a deployment has by default: its own hasher, and the built-in verifiers. */
const core = passwordHashing(fastPbkdf2);

const WRONG = "correct horse battery stapler";

// Concurrent: PBKDF2 runs on WebCrypto's threads, and bcryptjs and @noble/hashes yield while they work.

describe.concurrent.each(FOREIGN.hashes.filter((fixture) => !isCostly(fixture)))(
  "$library $scheme ($password password)",
  // Run side by side, the pure-JS ones (scrypt, bcrypt) share one thread: give them time.
  { timeout: 120_000 },
  (fixture) => {
    const password = passwordOf(fixture);

    it("is recognised as a foreign format, and upgraded at the next sign-in", () => {
      const reading = inspectStoredHash(core, fixture.hash);
      expect(reading).toMatchObject({ kind: "verifiable", foreign: true });
      expect(core.needsRehash(fixture.hash)).toBe(true);
    });

    it("verifies the right password and refuses a wrong one", async () => {
      expect(await verifyStoredPassword(core, fixture.hash, password)).toBe("match");
      // A wrong password that NFKC changes goes through the fallback too, and still fails.
      const wrong = fixture.password === "nfkc" ? `${password}x` : WRONG;
      expect(await verifyStoredPassword(core, fixture.hash, wrong)).toBe("mismatch");
    });

    // better-auth NFKC-normalises before hashing, as Portcullis does; the others hash the raw text.
    if (fixture.password === "nfkc" && fixture.library !== "better-auth") {
      it("was made from the raw password: only the fallback lets its owner in", async () => {
        const normalized = normalizePassword(password);
        expect(normalized).not.toBe(password);
        // The NFKC form alone, what Portcullis hashes, does not match what the library hashed.
        expect(await core.verify(fixture.hash, normalized)).toBe(false);
      });
    }
  },
);

describe("bcrypt's 72 bytes", () => {
  it("accepts and refuses exactly what Python's bcrypt accepted and refused", async () => {
    const fixture = foreign("bcrypt", "2b", "long");
    const answers = Object.entries(fixture.checkpw ?? {});
    expect(answers.map(([, accepted]) => accepted)).toEqual([true, true, true, false, false]);
    for (const [candidate, accepted] of answers) {
      expect(await core.verify(fixture.hash, candidate), candidate).toBe(accepted);
    }
  });
});

describe("scrypt", () => {
  // RFC 7914 §12's vectors, written as werkzeug stores them: the computation is checked against
  // the RFC, independently of the werkzeug fixtures above.
  it.each([
    [
      "password",
      "scrypt:1024:8:16$NaCl$fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    ],
    [
      "pleaseletmein",
      "scrypt:16384:8:1$SodiumChloride$7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
    ],
  ])("matches RFC 7914's vector for %j", async (password, stored) => {
    expect(await core.verify(stored, password)).toBe(true);
    expect(await core.verify(stored, `${password}!`)).toBe(false);
  });
});

describe("what cannot be verified", () => {
  const salt22 = "abcdefghijklmnopqrstuv";
  const hash31 = "abcdefghijklmnopqrstuvwxyz01234";
  it.each([
    ["bcrypt above 15 rounds", `$2b$31$${salt22}${hash31}`, "bcrypt cost 31"],
    ["bcrypt below 4 rounds", `$2b$03$${salt22}${hash31}`, "bcrypt cost 3"],
    ["crypt_blowfish's buggy $2x$", `$2x$10$${salt22}${hash31}`, "$2x$"],
    ["a truncated bcrypt", `$2b$10$${salt22}`, "malformed"],
    ["Django bcrypt_sha256 with a bad inner hash", "bcrypt_sha256$$2b$10$short", "malformed"],
    ["werkzeug pbkdf2 with md5", "pbkdf2:md5:1000$salt$00112233445566778899aabbccddeeff", "md5"],
    [
      "werkzeug pbkdf2 without an iteration count",
      "pbkdf2:sha256$salt$00112233445566778899aabbccddeeff",
      "malformed",
    ],
    [
      "PBKDF2 asking for 10^11 iterations",
      "pbkdf2_sha256$99999999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "iteration count",
    ],
    ["passlib pbkdf2 with a bad checksum", "$pbkdf2-sha256$29000$c2FsdA$short", "not encoded"],
    ["scrypt asking for 1 GiB", `scrypt:1048576:8:1$salt$${"00".repeat(64)}`, "more than 256 MiB"],
    ["scrypt with N not a power of two", `scrypt:1000:8:1$salt$${"00".repeat(64)}`, "power of two"],
    [
      "argon2-cffi at 1 GiB, above the default cap",
      foreign("argon2-cffi", "argon2id 1 GiB").hash,
      "password.maxArgon2MemoryKiB (262144)",
    ],
    [
      "Argon2 asking for 4 passes over the cap",
      `$argon2id$v=19$m=262144,t=4,p=1$c2FsdHNhbHRzYWx0c2FsdA$${"A".repeat(43)}`,
      "3 passes over password.maxArgon2MemoryKiB",
    ],
  ])("refuses %s with a reason, computing nothing", async (_, stored, reason) => {
    const started = performance.now();
    const reading = inspectStoredHash(core, stored);
    expect(reading.kind).toBe("refused");
    expect(reading.kind === "refused" && reading.problem).toContain(reason);
    expect(await core.verify(stored, "pw")).toBe(false);
    expect(await verifyStoredPassword(core, stored, "pw")).toBe("unverifiable");
    expect(performance.now() - started).toBeLessThan(250);
  });

  it("refuses PBKDF2 above what Cloudflare Workers compute there, with a reason", async () => {
    const django = foreign("django", "pbkdf2_sha256").hash; // 260,000 iterations
    vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
    try {
      const reading = inspectStoredHash(core, django);
      expect(reading.kind === "refused" && reading.problem).toContain("Cloudflare Workers");
      expect(inspectStoredHash(core, foreign("passlib", "pbkdf2_sha512").hash).kind).toBe(
        "verifiable", // 25,000
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(inspectStoredHash(core, django).kind).toBe("verifiable");
  });

  it("lets a raised password.maxArgon2MemoryKiB through, and a lowered one refuse", () => {
    const huge = foreign("argon2-cffi", "argon2id 1 GiB").hash;
    expect(inspectStoredHash(core, huge, { maxArgon2MemoryKiB: 1_048_576 }).kind).toBe(
      "verifiable",
    );
    const django = foreign("django", "argon2 default").hash;
    expect(inspectStoredHash(core, django).kind).toBe("verifiable");
    const lowered = inspectStoredHash(core, django, { maxArgon2MemoryKiB: 65_536 });
    expect(lowered).toMatchObject({ kind: "refused", format: "Django argon2id" });
  });

  it("names the scheme of a hash nobody reads, and never logs more of it", () => {
    for (const [stored, prefix] of [
      ["$1$saltsalt$qp3P/cVn9YI3Tqlwj1Hv.1", "$1$"],
      ["$6$rounds=5000$saltsalt$abcdefghijklmnopqrstuvwxyz", "$6$"],
      ["{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SSHA}"],
      ["sha1$a1976$a36cc8cbf81742a8fb52e221aaeab48ed7f58ab4", "sha1$"],
      ["md5:5f4dcc3b5aa765d61d8327deb882cf99", "md5:"],
      // Plaintext in the hash column (a migration mistake) is never echoed.
      ["hunter2", null],
      ["correct horse battery staple", null],
      ["Secret$passwordthatislongerthan20", null],
      ["abc$def", null],
      ["5f4dcc3b5aa765d61d8327deb882cf99", null],
    ] as const) {
      expect(hashPrefix(stored), stored).toBe(prefix);
      const reading = inspectStoredHash(core, stored);
      expect(reading).toEqual({ kind: "unknown", prefix });
    }
  });
});

describe("own hashes and foreign ones", () => {
  it("tells $pbkdf2-sha256$i=... (own) from passlib's $pbkdf2-sha256$29000$... (foreign)", async () => {
    const own = await fastPbkdf2.hash("pw");
    expect(inspectStoredHash(core, own)).toMatchObject({
      kind: "verifiable",
      format: "pbkdf2-sha256",
      foreign: false,
    });
    expect(await core.verify(own, "pw")).toBe(true);
    const passlib = foreign("passlib", "pbkdf2_sha256");
    expect(inspectStoredHash(core, passlib.hash)).toMatchObject({ foreign: true });
  });

  it("keeps NFKC-only for its own hashes: one computation, no raw-password fallback", async () => {
    const raw = passwordOf(foreign("passlib", "pbkdf2_sha256", "nfkc"));
    const own = await fastPbkdf2.hash(raw); // as if hashed without normalising (never done)
    const counted: PasswordHasher = { ...fastPbkdf2, verify: vi.fn(fastPbkdf2.verify) };
    const hasher = passwordHashing(counted);
    expect(await verifyStoredPassword(hasher, own, raw)).toBe("mismatch");
    expect(counted.verify).toHaveBeenCalledTimes(1);
    expect(vi.mocked(counted.verify).mock.calls[0]?.slice(0, 2)).toEqual([
      own,
      normalizePassword(raw),
    ]);
  });

  it("reads Django's argon2 prefix on argon2i too", async () => {
    const fixture = foreign("argon2-cffi", "argon2i", "nfkc");
    const django = `argon2${fixture.hash}`;
    expect(inspectStoredHash(core, django)).toMatchObject({
      kind: "verifiable",
      format: "Django argon2i",
      foreign: true,
    });
    expect(await verifyStoredPassword(core, django, passwordOf(fixture))).toBe("match");
  });

  it("tries the raw password for $argon2id$, which argon2-cffi and passlib write alike", async () => {
    const fixture = foreign("argon2-cffi", "argon2id", "nfkc");
    expect(inspectStoredHash(core, fixture.hash)).toMatchObject({ foreign: true });
    expect(await verifyStoredPassword(core, fixture.hash, passwordOf(fixture))).toBe("match");
  });
});

describe("bcryptjs", () => {
  it("is loaded only when a bcrypt hash is met: no static import in src/", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const src = new URL("../../src", import.meta.url).pathname;
    const importers = files(src).filter((file) =>
      /from\s+["']bcryptjs["']|require\(["']bcryptjs["']\)/.test(readFileSync(file, "utf8")),
    );
    expect(importers).toEqual([]);
    const bcrypt = readFileSync(join(src, "password/foreign/bcrypt.ts"), "utf8");
    expect(bcrypt).toContain('import("bcryptjs")');
  });
});
