import { describe, expect, it, vi } from "vitest";
import { isCommonPassword, loadCommonPasswords } from "../../src/password/common-passwords.js";
import { checkPassword, normalizePassword } from "../../src/password/policy.js";

describe("normalizePassword", () => {
  it("maps canonically and compatibly equivalent spellings to one string (NFKC)", () => {
    expect(normalizePassword("cafe\u0301")).toBe("caf\u00e9");
    expect(normalizePassword("\uff30\uff41\uff53\uff53")).toBe("Pass"); // full-width letters
    expect(normalizePassword("\ufb03")).toBe("ffi"); // the "ffi" ligature
  });
});

describe("checkPassword", () => {
  it("accepts a long, uncommon password and returns it normalized", async () => {
    const result = await checkPassword("cafe\u0301 au lait with oat milk");
    expect(result).toEqual({ ok: true, normalized: "caf\u00e9 au lait with oat milk" });
  });

  it("treats NFKC-equivalent passwords alike", async () => {
    const composed = await checkPassword("Gr\u00fcne Wiese 42");
    const decomposed = await checkPassword("Gru\u0308ne Wiese 42");
    expect(composed.ok && decomposed.ok).toBe(true);
    expect(composed).toEqual(decomposed);
  });

  it("refuses fewer than 8 characters with a readable message", async () => {
    expect(await checkPassword("Tr0ub4d")).toEqual({
      ok: false,
      reason: "too_short",
      message: "password must be at least 8 characters",
    });
  });

  it("counts code points, not UTF-16 units", async () => {
    expect(await checkPassword("\u{1F512}".repeat(7))).toMatchObject({ reason: "too_short" });
    expect(await checkPassword("\u{1F512}".repeat(8))).toMatchObject({ ok: true });
  });

  it("counts length after NFKC", async () => {
    // Three ligature code points normalize to nine letters.
    expect(await checkPassword("\ufb03\ufb03\ufb03")).toEqual({
      ok: true,
      normalized: "ffiffiffi",
    });
  });

  it("honours a custom minimum such as NIST's 15 for single-factor passwords", async () => {
    const policy = { minLength: 15 };
    expect(await checkPassword("fourteen chars", policy)).toMatchObject({ reason: "too_short" });
    expect(await checkPassword("fifteen chars!!", policy)).toMatchObject({ ok: true });
    expect((await checkPassword("x", policy)) as { message: string }).toMatchObject({
      message: "password must be at least 15 characters",
    });
  });

  it("bounds length in UTF-8 bytes, so multibyte text hits the limit sooner", async () => {
    // "é" is one character and two bytes: 512 of them are 1024 bytes, 513 are 1026.
    expect(await checkPassword("\u00e9".repeat(512))).toMatchObject({ ok: true });
    expect(await checkPassword("\u00e9".repeat(513))).toEqual({
      ok: false,
      reason: "too_long",
      message: "password must be at most 1024 bytes long",
    });
    // The decomposed spelling is 1539 bytes raw but 1026 after NFKC: still too long, measured after.
    expect(await checkPassword("e\u0301".repeat(513))).toMatchObject({ reason: "too_long" });
    expect(await checkPassword("e\u0301".repeat(512))).toMatchObject({ ok: true });
    expect(await checkPassword("a".repeat(64), { maxBytes: 63 })).toMatchObject({
      reason: "too_long",
    });
  });

  it("refuses a huge input without normalizing it", async () => {
    const normalize = vi.spyOn(String.prototype, "normalize");
    try {
      expect(await checkPassword("a".repeat(1_000_000))).toMatchObject({ reason: "too_long" });
      expect(normalize).not.toHaveBeenCalled();
    } finally {
      normalize.mockRestore();
    }
  });

  it("refuses common passwords, whatever their case or width", async () => {
    for (const common of [
      "password1",
      "PassWord1",
      "iloveyou",
      "\uff49\uff4c\uff4f\uff56\uff45\uff59\uff4f\uff55",
    ]) {
      expect(await checkPassword(common)).toEqual({
        ok: false,
        reason: "common",
        message: "password is too common; choose one that is harder to guess",
      });
    }
  });

  it("allows common passwords when rejectCommon is false", async () => {
    expect(await checkPassword("password1", { rejectCommon: false })).toEqual({
      ok: true,
      normalized: "password1",
    });
  });

  it("asks isBreached about the normalized password and refuses when it says so", async () => {
    const isBreached = vi.fn(async (password: string) => password === "caf\u00e9 caf\u00e9");
    expect(await checkPassword("cafe\u0301 cafe\u0301", { isBreached })).toMatchObject({
      ok: false,
      reason: "breached",
    });
    expect(isBreached).toHaveBeenCalledWith("caf\u00e9 caf\u00e9");
    expect(await checkPassword("another fine day", { isBreached })).toMatchObject({ ok: true });
  });

  it("does not consult isBreached for a password already refused", async () => {
    const isBreached = vi.fn(async () => true);
    expect(await checkPassword("short", { isBreached })).toMatchObject({ reason: "too_short" });
    expect(await checkPassword("password1", { isBreached })).toMatchObject({ reason: "common" });
    expect(isBreached).not.toHaveBeenCalled();
  });

  it("propagates an isBreached failure instead of guessing", async () => {
    const isBreached = async () => {
      throw new Error("breach service down");
    };
    await expect(checkPassword("another fine day", { isBreached })).rejects.toThrow(
      "breach service down",
    );
  });

  it("rejects a nonsensical policy", async () => {
    await expect(checkPassword("whatever it is", { minLength: 0 })).rejects.toThrow(/minLength/);
    await expect(checkPassword("whatever it is", { minLength: 20, maxBytes: 10 })).rejects.toThrow(
      /maxBytes/,
    );
  });
});

describe("the common-password list", () => {
  it("is loaded once and kept", async () => {
    const first = await loadCommonPasswords();
    expect(first.size).toBeGreaterThan(40_000);
    expect(await loadCommonPasswords()).toBe(first);
  });

  it("compares case-insensitively", async () => {
    expect(await isCommonPassword("DRAGON")).toBe(true);
    expect(await isCommonPassword("a long and unusual sentence")).toBe(false);
  });
});
