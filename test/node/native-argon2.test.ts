import { hash as nativeHash, verify as nativeVerify } from "@node-rs/argon2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nativeArgon2id } from "../../adapters/node/index.js";
import { argon2id, verifyArgon2id } from "../../src/password/argon2id.js";
import { REFERENCE_ARGON2ID } from "../password/helpers.js";

const fast = { memoryCost: 256, timeCost: 2, dangerouslyWeak: true } as const;

describe("nativeArgon2id", () => {
  it("defaults to OWASP's parameters, and the pure-JS verifier reads its hashes", async () => {
    const hasher = nativeArgon2id();
    expect(hasher.id).toBe("argon2id");
    const stored = await hasher.hash("correct horse");
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await verifyArgon2id(stored, "correct horse")).toBe(true);
    expect(await nativeVerify(stored, "correct horse")).toBe(true);
    expect(argon2id().needsRehash(stored)).toBe(false);
  });

  it("verifies hashes from argon2id(), @node-rs/argon2 and the reference implementation", async () => {
    const hasher = nativeArgon2id(fast);
    expect(await hasher.verify(await argon2id(fast).hash("pw"), "pw")).toBe(true);
    expect(
      await hasher.verify(await nativeHash("pw", { memoryCost: 512, timeCost: 1 }), "pw"),
    ).toBe(true);
    expect(await hasher.verify(REFERENCE_ARGON2ID.m256p2, "password")).toBe(true);
    expect(await hasher.verify(REFERENCE_ARGON2ID.v16m256, "password")).toBe(true);
    expect(await hasher.verify(REFERENCE_ARGON2ID.m256p1, "passwore")).toBe(false);
  });

  it("applies the same limits to stored hashes as argon2id()", async () => {
    const planted =
      "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA";
    expect(await nativeArgon2id().verify(planted, "pw")).toBe(false);
    expect(await nativeArgon2id().verify("garbage", "pw")).toBe(false);
  });

  it("refuses weak options, naming itself", () => {
    expect(() => nativeArgon2id({ timeCost: 1 })).toThrow(/nativeArgon2id\(\): .*OWASP/);
  });
});

describe("nativeArgon2id without @node-rs/argon2 installed", () => {
  afterEach(() => {
    vi.doUnmock("@node-rs/argon2");
    vi.resetModules();
  });

  it("says what to install on first use", async () => {
    vi.resetModules();
    vi.doMock("@node-rs/argon2", () => {
      throw new Error("Cannot find package '@node-rs/argon2'");
    });
    const { nativeArgon2id: missing } = await import("../../adapters/node/native-argon2.js");
    const hasher = missing(fast);
    await expect(hasher.hash("pw")).rejects.toThrow(
      "install @node-rs/argon2 to use nativeArgon2id()",
    );
  });
});
