import { describe, expect, it } from "vitest";
import { base64urlDecode, base64urlEncode } from "../../src/crypto/base64url.js";
import { constantTimeEqual } from "../../src/crypto/constant-time.js";
import { randomDigits, randomToken } from "../../src/crypto/random.js";
import { portableSha256Base64url, sha256Base64url } from "../../src/crypto/sha256.js";

describe("base64url", () => {
  it("round-trips every length and uses the URL alphabet without padding", () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = base64urlEncode(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(base64urlDecode(text)).toEqual(bytes);
    }
    expect(base64urlEncode(new Uint8Array([251, 255]))).toBe("-_8");
  });

  it("returns null for text that is not base64url", () => {
    for (const bad of ["a+b", "a/b", "abc=", "a", "é"]) expect(base64urlDecode(bad)).toBeNull();
  });
});

describe("sha256Base64url", () => {
  it("matches the FIPS 180-2 vector for 'abc'", () => {
    const hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const bytes = Uint8Array.from(hex.match(/../g) as string[], (h) => Number.parseInt(h, 16));
    expect(sha256Base64url("abc")).toBe(base64urlEncode(bytes));
    expect(portableSha256Base64url("abc")).toBe(base64urlEncode(bytes));
  });

  it("gives the same digest natively and in JS, for ASCII and non-ASCII input", () => {
    for (const text of ["", "a", "x".repeat(200), "pässwörd-✓", randomToken()]) {
      expect(sha256Base64url(text)).toBe(portableSha256Base64url(text));
    }
  });
});

describe("random", () => {
  it("randomToken carries 256 bits: 43 base64url characters, never repeating", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(base64urlDecode(token)?.length).toBe(32);
  });

  it("randomDigits gives zero-padded codes covering every digit", () => {
    const codes = Array.from({ length: 2000 }, () => randomDigits(6));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    const firstDigits = new Set(codes.map((code) => code[0]));
    expect(firstDigits.size).toBe(10);
  });
});

describe("constantTimeEqual", () => {
  it("is equality on strings and bytes", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([2, 2]))).toBe(false);
  });
});
