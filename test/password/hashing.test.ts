import { describe, expect, it, vi } from "vitest";
import { argon2id } from "../../src/password/argon2id.js";
import type { PasswordHasher } from "../../src/password/hasher.js";
import { passwordHashing } from "../../src/password/hashing.js";
import { pbkdf2 } from "../../src/password/pbkdf2.js";
import { REFERENCE_ARGON2ID } from "./helpers.js";

const fastPbkdf2 = pbkdf2({ iterations: 1000, dangerouslyWeak: true });
const fastArgon2id = argon2id({ memoryCost: 256, timeCost: 2, dangerouslyWeak: true });

/** A hasher for a made-up scheme that records what it was asked. */
function fakeHasher(
  id: string,
  answer = true,
): PasswordHasher & { verify: ReturnType<typeof vi.fn> } {
  return {
    id,
    hash: async (password) => `$${id}$${password}`,
    verify: vi.fn(async () => answer),
    needsRehash: () => false,
  };
}

describe("passwordHashing", () => {
  it("hashes with the current hasher", async () => {
    const hasher = passwordHashing(fastArgon2id);
    expect(hasher.id).toBe("argon2id");
    expect(await hasher.hash("pw")).toMatch(/^\$argon2id\$v=19\$m=256,t=2,p=1\$/);
  });

  it("verifies a PBKDF2 hash after switching to Argon2id, and asks to rehash it", async () => {
    const old = await fastPbkdf2.hash("correct horse");
    const hasher = passwordHashing(fastArgon2id);
    expect(await hasher.verify(old, "correct horse")).toBe(true);
    expect(await hasher.verify(old, "wrong horse")).toBe(false);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash("correct horse"))).toBe(false);
  });

  it("verifies an Argon2id hash with any parameters while hashing with PBKDF2", async () => {
    const hasher = passwordHashing(fastPbkdf2);
    expect(await hasher.verify(REFERENCE_ARGON2ID.m256p2, "password")).toBe(true);
    expect(await hasher.verify(REFERENCE_ARGON2ID.m256p2, "Password")).toBe(false);
    expect(hasher.needsRehash(REFERENCE_ARGON2ID.m256p2)).toBe(true);
  });

  it("verifies PBKDF2 hashes whose parameters differ from the current PBKDF2's", async () => {
    const old = await pbkdf2({ iterations: 2000, hashLength: 64, dangerouslyWeak: true }).hash(
      "pw",
    );
    const hasher = passwordHashing(fastPbkdf2);
    expect(await hasher.verify(old, "pw")).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
  });

  it("dispatches other schemes to the hashers that write them", async () => {
    const legacy = fakeHasher("legacy");
    const hasher = passwordHashing(fastPbkdf2, [legacy]);
    expect(await hasher.verify("$legacy$whatever", "pw")).toBe(true);
    expect(legacy.verify).toHaveBeenCalledWith("$legacy$whatever", "pw");
  });

  it("prefers the current hasher, then others, over a built-in verifier for the same id", async () => {
    const current = fakeHasher("argon2id", false);
    const other = fakeHasher("pbkdf2-sha256", false);
    const hasher = passwordHashing(current, [other]);
    expect(await hasher.verify(REFERENCE_ARGON2ID.m256p1, "password")).toBe(false);
    expect(current.verify).toHaveBeenCalledOnce();
    const old = await fastPbkdf2.hash("pw");
    expect(await hasher.verify(old, "pw")).toBe(false);
    expect(other.verify).toHaveBeenCalledOnce();
  });

  it("lets the first of several others with one id win", async () => {
    const first = fakeHasher("legacy", true);
    const second = fakeHasher("legacy", false);
    expect(await passwordHashing(fastPbkdf2, [first, second]).verify("$legacy$x", "pw")).toBe(true);
    expect(second.verify).not.toHaveBeenCalled();
  });

  it("is false for unknown schemes and for text that is not a PHC string", async () => {
    const hasher = passwordHashing(fastPbkdf2);
    expect(
      await hasher.verify("$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "pw"),
    ).toBe(false);
    expect(await hasher.verify("plaintext-password", "plaintext-password")).toBe(false);
    expect(await hasher.verify("", "")).toBe(false);
    expect(
      await hasher.verify(
        "$argon2id$v=19$m=4194304,t=9,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "pw",
      ),
    ).toBe(false);
  });

  it("keeps the others of a passwordHashing it wraps", async () => {
    const native = fakeHasher("argon2id", false);
    const configured = passwordHashing(fastPbkdf2, [native]);
    const wrapped = passwordHashing(configured); // what createAuth does with passwordHasher
    expect(await wrapped.verify(REFERENCE_ARGON2ID.m256p1, "password")).toBe(false);
    expect(native.verify).toHaveBeenCalledOnce();
    expect(wrapped.id).toBe("pbkdf2-sha256");
    expect(await wrapped.hash("pw")).toMatch(/^\$pbkdf2-sha256\$i=1000\$/);
  });

  it("defers needsRehash to the current hasher", () => {
    const current = { ...fakeHasher("x"), needsRehash: vi.fn(() => true) };
    expect(passwordHashing(current).needsRehash("$x$1")).toBe(true);
    expect(current.needsRehash).toHaveBeenCalledWith("$x$1");
  });
});
