import { describe, expect, it } from "vitest";
import { argon2id } from "../../src/password/argon2id.js";
import {
  PBKDF2_MAX_ITERATIONS,
  pbkdf2,
  pbkdf2Sha256,
  verifyPbkdf2,
} from "../../src/password/pbkdf2.js";
import { base64Encode } from "../../src/password/phc.js";
import { fixedRandom, hex } from "./helpers.js";

const encoder = new TextEncoder();
const fast = { iterations: 1000, dangerouslyWeak: true } as const;

// RFC 7914 §11, "Test Vectors for PBKDF2 with HMAC-SHA-256".
const RFC7914 = [
  {
    password: "passwd",
    salt: "salt",
    iterations: 1,
    expected: hex(`
      55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc
      49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83`),
  },
  {
    password: "Password",
    salt: "NaCl",
    iterations: 80000,
    expected: hex(`
      4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9 64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56
      a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17 6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d`),
  },
];

describe("PBKDF2-HMAC-SHA256", () => {
  it.each(RFC7914)("matches RFC 7914 §11 for P=$password c=$iterations", async (vector) => {
    const { password, salt, iterations, expected } = vector;
    const derived = await pbkdf2Sha256(
      encoder.encode(password),
      encoder.encode(salt),
      iterations,
      64,
    );
    expect(derived).toEqual(expected);
  });

  it.each(RFC7914)(
    "verifies the RFC 7914 vector for P=$password as a PHC string",
    async (vector) => {
      const { password, salt, iterations, expected } = vector;
      const stored = `$pbkdf2-sha256$i=${iterations}$${base64Encode(encoder.encode(salt))}$${base64Encode(expected)}`;
      expect(await verifyPbkdf2(stored, password)).toBe(true);
      expect(await verifyPbkdf2(stored, `${password}!`)).toBe(false);
    },
  );
});

describe("pbkdf2()", () => {
  it("writes $pbkdf2-sha256$i=<iterations>$<salt>$<hash> that verifies", async () => {
    const hasher = pbkdf2(fast);
    const stored = await hasher.hash("correct horse");
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(stored, "correct horse")).toBe(true);
    expect(await hasher.verify(stored, "correct horsf")).toBe(false);
    expect(await hasher.verify(stored, "")).toBe(false);
  });

  it("salts every hash with fresh randomness from the injected source", async () => {
    const hasher = pbkdf2(fast);
    expect(await hasher.hash("same")).not.toBe(await hasher.hash("same"));
    const seeded = await pbkdf2({ ...fast, random: fixedRandom(7) }).hash("same");
    expect(seeded.split("$")[3]).toBe(base64Encode(new Uint8Array(16).fill(7)));
  });

  it("hashes the UTF-8 bytes of the password", async () => {
    const hasher = pbkdf2({ ...fast, random: fixedRandom(1) });
    const stored = await hasher.hash("pässwörd");
    const expected = await pbkdf2Sha256(
      encoder.encode("pässwörd"),
      new Uint8Array(16).fill(1),
      1000,
      32,
    );
    expect(stored.split("$")[4]).toBe(base64Encode(expected));
  });

  it("defaults to 600,000 iterations, a 16-byte salt and a 32-byte hash", async () => {
    const hasher = pbkdf2();
    expect(hasher.id).toBe("pbkdf2-sha256");
    const stored = await hasher.hash("correct horse");
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=600000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(stored, "correct horse")).toBe(true);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it("refuses weak parameters unless dangerouslyWeak is set", () => {
    expect(() => pbkdf2({ iterations: 100_000 })).toThrow(/"iterations" 100000 .*dangerouslyWeak/);
    expect(() => pbkdf2({ saltLength: 8 })).toThrow(/"saltLength"/);
    expect(() => pbkdf2({ hashLength: 16 })).toThrow(/"hashLength"/);
    expect(() => pbkdf2({ iterations: 100_000, dangerouslyWeak: true })).not.toThrow();
  });

  it("refuses nonsense even with dangerouslyWeak", () => {
    const weak = { dangerouslyWeak: true };
    expect(() => pbkdf2({ ...weak, iterations: 0 })).toThrow(/"iterations"/);
    expect(() => pbkdf2({ ...weak, iterations: 1.5 })).toThrow(/"iterations"/);
    expect(() => pbkdf2({ ...weak, iterations: PBKDF2_MAX_ITERATIONS + 1 })).toThrow(
      /"iterations"/,
    );
    expect(() => pbkdf2({ ...weak, saltLength: 4 })).toThrow(/"saltLength"/);
    expect(() => pbkdf2({ ...weak, hashLength: 65 })).toThrow(/"hashLength"/);
  });

  it("asks for a rehash when the scheme or parameters differ", async () => {
    const hasher = pbkdf2(fast);
    const stored = await hasher.hash("pw");
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(pbkdf2({ ...fast, iterations: 2000 }).needsRehash(stored)).toBe(true);
    expect(pbkdf2({ ...fast, hashLength: 64 }).needsRehash(stored)).toBe(true);
    expect(pbkdf2({ ...fast, saltLength: 32 }).needsRehash(stored)).toBe(true);
    const other = await argon2id({ memoryCost: 64, timeCost: 1, dangerouslyWeak: true }).hash("pw");
    expect(hasher.needsRehash(other)).toBe(true);
    expect(hasher.needsRehash("garbage")).toBe(true);
  });

  it("verifies hashes made with other parameters", async () => {
    const stored = await pbkdf2({ iterations: 1234, hashLength: 64, dangerouslyWeak: true }).hash(
      "pw",
    );
    expect(await pbkdf2(fast).verify(stored, "pw")).toBe(true);
  });
});

describe("verifyPbkdf2 on malformed or hostile hashes", () => {
  const salt = "c2FsdHNhbHRzYWx0c2FsdA"; // 16 bytes
  const hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; // 32 bytes
  it.each([
    ["garbage", "not a hash"],
    ["another scheme", `$argon2id$v=19$m=64,t=1,p=1$${salt}$${hash}`],
    ["zero iterations", `$pbkdf2-sha256$i=0$${salt}$${hash}`],
    ["leading zero", `$pbkdf2-sha256$i=01000$${salt}$${hash}`],
    ["negative", `$pbkdf2-sha256$i=-1$${salt}$${hash}`],
    ["missing i", `$pbkdf2-sha256$c=1000$${salt}$${hash}`],
    ["extra param", `$pbkdf2-sha256$i=1000,l=32$${salt}$${hash}`],
    ["a version", `$pbkdf2-sha256$v=1$i=1000$${salt}$${hash}`],
    ["a 4-byte hash", `$pbkdf2-sha256$i=1000$${salt}$AAAAAA`],
    ["a 96-byte hash", `$pbkdf2-sha256$i=1000$${salt}$${"A".repeat(128)}`],
    ["no hash", `$pbkdf2-sha256$i=1000$${salt}`],
  ])("is false for %s", async (_, stored) => {
    await expect(verifyPbkdf2(stored, "pw")).resolves.toBe(false);
  });

  it("refuses a planted hash with absurd iterations without running them", async () => {
    const started = performance.now();
    const planted = `$pbkdf2-sha256$i=${PBKDF2_MAX_ITERATIONS + 1}$${salt}$${hash}`;
    expect(await verifyPbkdf2(planted, "pw")).toBe(false);
    expect(await verifyPbkdf2(`$pbkdf2-sha256$i=4000000000$${salt}$${hash}`, "pw")).toBe(false);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it("is false, not a throw, for a non-string password", async () => {
    const stored = await pbkdf2(fast).hash("undefined");
    expect(await verifyPbkdf2(stored, undefined as unknown as string)).toBe(false);
  });
});
