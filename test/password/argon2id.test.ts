import { argon2id as nobleArgon2id } from "@noble/hashes/argon2.js";
import { hash as nativeHash, verify as nativeVerify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_ARGON2_MEMORY_KIB } from "../../src/password/argon2-limits.js";
import { ARGON2ID_LIMITS, argon2id, verifyArgon2id } from "../../src/password/argon2id.js";
import { pbkdf2 } from "../../src/password/pbkdf2.js";
import { base64Encode } from "../../src/password/phc.js";
import { fixedRandom, hex, REFERENCE_ARGON2ID } from "./helpers.js";

const fast = { memoryCost: 256, timeCost: 2, dangerouslyWeak: true } as const;

describe("the Argon2id engine", () => {
  // RFC 9106 §5.3 uses a secret and associated data, which a password hasher never passes, so it
  // checks the @noble/hashes engine directly; the reference vectors below go through our code.
  it("matches RFC 9106 §5.3", () => {
    const tag = nobleArgon2id(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2), {
      m: 32,
      t: 3,
      p: 4,
      dkLen: 32,
      version: 0x13,
      key: new Uint8Array(8).fill(3),
      personalization: new Uint8Array(12).fill(4),
    });
    expect(tag).toEqual(
      hex(
        "0d 64 0d f5 8d 78 76 6c 08 c0 37 a3 4a 8b 53 c9 d0 1e f0 45 2d 75 b6 5e b5 25 20 e9 6b 01 e6 59",
      ),
    );
  });
});

describe("verifyArgon2id", () => {
  it.each([
    ["m=256, p=1", REFERENCE_ARGON2ID.m256p1],
    ["m=256, p=2", REFERENCE_ARGON2ID.m256p2],
    ["version 0x10", REFERENCE_ARGON2ID.v16m256],
  ])("verifies the reference implementation's %s vector", async (_, stored) => {
    expect(await verifyArgon2id(stored, "password")).toBe(true);
    expect(await verifyArgon2id(stored, "passwore")).toBe(false);
  });

  it("verifies the reference implementation's m=65536 vector", async () => {
    // 64 MiB in pure JS takes a second; one verification is enough to prove larger memory works.
    expect(await verifyArgon2id(REFERENCE_ARGON2ID.m65536, "password")).toBe(true);
  });

  it("reads a hash without a v= segment as version 0x10", async () => {
    const withoutVersion = REFERENCE_ARGON2ID.v16m256.replace("$v=16", "");
    expect(await verifyArgon2id(withoutVersion, "password")).toBe(true);
  });

  it("verifies a hash @node-rs/argon2 wrote with OWASP's parameters", async () => {
    const stored = await nativeHash("correct horse"); // m=19456, t=2, p=1 by default
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyArgon2id(stored, "correct horse")).toBe(true);
    expect(await verifyArgon2id(stored, "correct horsf")).toBe(false);
    expect(argon2id().needsRehash(stored)).toBe(false);
  });

  const salt = "c2FsdHNhbHRzYWx0c2FsdA"; // 16 bytes
  const hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; // 32 bytes
  it.each([
    ["garbage", "$argon2id$"],
    ["argon2i", `$argon2i$v=19$m=256,t=2,p=1$${salt}$${hash}`],
    ["an unknown version", `$argon2id$v=18$m=256,t=2,p=1$${salt}$${hash}`],
    ["a missing param", `$argon2id$v=19$m=256,t=2$${salt}$${hash}`],
    ["an extra param", `$argon2id$v=19$m=256,t=2,p=1,keyid=abc$${salt}$${hash}`],
    ["p=0", `$argon2id$v=19$m=256,t=2,p=0$${salt}$${hash}`],
    ["too many lanes", `$argon2id$v=19$m=256,t=2,p=17$${salt}$${hash}`],
    ["m below 8p", `$argon2id$v=19$m=15,t=2,p=2$${salt}$${hash}`],
    ["t=0", `$argon2id$v=19$m=256,t=0,p=1$${salt}$${hash}`],
    ["a 4-byte salt", `$argon2id$v=19$m=256,t=2,p=1$c2FsdA$${hash}`],
    ["an 8-byte hash", `$argon2id$v=19$m=256,t=2,p=1$${salt}$AAAAAAAAAAA`],
  ])("is false for %s", async (_, stored) => {
    await expect(verifyArgon2id(stored, "pw")).resolves.toBe(false);
  });

  it("refuses planted hashes that ask for absurd memory or time, without running them", async () => {
    const cap = DEFAULT_MAX_ARGON2_MEMORY_KIB;
    const started = performance.now();
    for (const params of [
      "m=4194304,t=2,p=1",
      `m=${cap + 1024},t=1,p=1`,
      `m=${cap},t=4,p=1`,
      "m=19456,t=4000000000,p=1",
      "m=8,t=99999999999,p=1",
    ]) {
      expect(await verifyArgon2id(`$argon2id$v=19$${params}$${salt}$${hash}`, "pw")).toBe(false);
    }
    // A lower password.maxArgon2MemoryKiB refuses what the default lets through.
    for (const params of [`m=${ARGON2ID_LIMITS.maxMemoryCost + 1024},t=1,p=1`, "m=65536,t=4,p=1"]) {
      const stored = `$argon2id$v=19$${params}$${salt}$${hash}`;
      expect(await verifyArgon2id(stored, "pw", { maxArgon2MemoryKiB: 65_536 })).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe("argon2id()", () => {
  it("writes $argon2id$v=19$m=..,t=..,p=..$<salt>$<hash> that verifies", async () => {
    const hasher = argon2id(fast);
    const stored = await hasher.hash("correct horse");
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=256,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await hasher.verify(stored, "correct horse")).toBe(true);
    expect(await hasher.verify(stored, "correct horsf")).toBe(false);
  });

  it("reproduces the reference vector's tag for the same salt", async () => {
    // The reference salt "somesalt" is 8 bytes, below our default; fill it in through `random`.
    const somesalt = new TextEncoder().encode("somesalt");
    const random = { fill: (bytes: Uint8Array) => bytes.set(somesalt) };
    const hasher = argon2id({ ...fast, saltLength: 8, random });
    expect(await hasher.hash("password")).toBe(REFERENCE_ARGON2ID.m256p1);
  });

  it("defaults to OWASP's m=19456 KiB, t=2, p=1, and @node-rs/argon2 verifies the result", async () => {
    const hasher = argon2id();
    expect(hasher.id).toBe("argon2id");
    const stored = await hasher.hash("correct horse");
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await nativeVerify(stored, "correct horse")).toBe(true);
    expect(await nativeVerify(stored, "correct horsf")).toBe(false);
  });

  it("keeps the event loop turning while it hashes", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await argon2id({ memoryCost: 8192, timeCost: 2, dangerouslyWeak: true }).hash("pw");
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("salts from the injected random source", async () => {
    const stored = await argon2id({ ...fast, random: fixedRandom(9) }).hash("pw");
    expect(stored.split("$")[4]).toBe(base64Encode(new Uint8Array(16).fill(9)));
  });

  it("refuses parameters below OWASP's unless dangerouslyWeak is set", () => {
    expect(() => argon2id({ memoryCost: 4096 })).toThrow(/"memoryCost" 4096 KiB .*dangerouslyWeak/);
    expect(() => argon2id({ timeCost: 1 })).toThrow(/OWASP/);
    expect(() => argon2id({ saltLength: 8 })).toThrow(/"saltLength"/);
    expect(() => argon2id({ hashLength: 16 })).toThrow(/"hashLength"/);
    expect(() => argon2id({ memoryCost: 4096, dangerouslyWeak: true })).not.toThrow();
  });

  it("accepts OWASP's other equivalent settings", () => {
    expect(() => argon2id({ memoryCost: 47_104, timeCost: 1 })).not.toThrow();
    expect(() => argon2id({ memoryCost: 7_168, timeCost: 5 })).not.toThrow();
    expect(() => argon2id({ memoryCost: 65_536, timeCost: 3, parallelism: 4 })).not.toThrow();
  });

  it("refuses settings its own verifier would reject, even with dangerouslyWeak", () => {
    const weak = { dangerouslyWeak: true };
    expect(() => argon2id({ ...weak, memoryCost: 1 << 20 })).toThrow(/"memoryCost"/);
    expect(() => argon2id({ ...weak, memoryCost: 65_536, timeCost: 4 })).toThrow(/"timeCost"/);
    expect(() => argon2id({ ...weak, parallelism: 0 })).toThrow(/"parallelism"/);
    expect(() => argon2id({ ...weak, memoryCost: 64, parallelism: 16 })).toThrow(/"parallelism"/);
    expect(() => argon2id({ ...weak, saltLength: 4 })).toThrow(/"saltLength"/);
  });

  it("asks for a rehash when the scheme, version or parameters differ", async () => {
    const hasher = argon2id(fast);
    const stored = await hasher.hash("pw");
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(argon2id({ ...fast, memoryCost: 512 }).needsRehash(stored)).toBe(true);
    expect(argon2id({ ...fast, timeCost: 3 }).needsRehash(stored)).toBe(true);
    expect(argon2id({ ...fast, parallelism: 2 }).needsRehash(stored)).toBe(true);
    expect(argon2id({ ...fast, hashLength: 64 }).needsRehash(stored)).toBe(true);
    expect(argon2id({ ...fast, saltLength: 32 }).needsRehash(stored)).toBe(true);
    const v16 = REFERENCE_ARGON2ID.v16m256;
    expect(argon2id({ ...fast, saltLength: 8 }).needsRehash(v16)).toBe(true);
    expect(argon2id({ ...fast, saltLength: 8 }).needsRehash(REFERENCE_ARGON2ID.m256p1)).toBe(false);
    expect(
      hasher.needsRehash(await pbkdf2({ iterations: 1, dangerouslyWeak: true }).hash("pw")),
    ).toBe(true);
    expect(hasher.needsRehash("")).toBe(true);
  });
});
