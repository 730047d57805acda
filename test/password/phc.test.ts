import { describe, expect, it } from "vitest";
import {
  base64Decode,
  base64Encode,
  decodePhc,
  encodePhc,
  MAX_PHC_LENGTH,
  phcId,
  phcInteger,
} from "../../src/password/phc.js";

// Written by the Argon2 reference implementation / @node-rs/argon2.
const ARGON2 =
  "$argon2id$v=19$m=19456,t=2,p=1$36dC6L961UHQUte+oCVhEg$9N+mIUoZVBmV0UxQz1pIcyKij4rCvbK6MNJm1HS4dk4";

describe("decodePhc", () => {
  it("reads id, version, params, salt and hash", () => {
    const phc = decodePhc(ARGON2);
    expect(phc).not.toBeNull();
    expect(phc?.id).toBe("argon2id");
    expect(phc?.version).toBe(19);
    expect({ ...phc?.params }).toEqual({ m: "19456", t: "2", p: "1" });
    expect(phc?.salt.length).toBe(16);
    expect(phc?.hash.length).toBe(32);
    expect(base64Encode(phc?.salt as Uint8Array)).toBe("36dC6L961UHQUte+oCVhEg");
  });

  it("re-encodes to the identical string", () => {
    const phc = decodePhc(ARGON2);
    if (phc === null) throw new Error("did not decode");
    expect(encodePhc(phc)).toBe(ARGON2);
  });

  it("reads a string without a version", () => {
    const phc = decodePhc("$pbkdf2-sha256$i=1000$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA");
    expect(phc?.version).toBeUndefined();
    expect(phc?.params.i).toBe("1000");
  });

  it("keeps params in a null-prototype object", () => {
    const phc = decodePhc("$x$constructor=1$c2FsdA$aGFzaA");
    expect(phc?.params.constructor).toBe("1");
    expect(decodePhc("$x$a=1$c2FsdA$aGFzaA")?.params.toString).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["no leading $", "argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"],
    ["upper-case id", "$Argon2id$v=19$m=1$c2FsdA$aGFzaA"],
    ["id only", "$argon2id"],
    ["missing hash", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA"],
    ["empty salt", "$argon2id$v=19$m=1,t=1,p=1$$aGFzaA"],
    ["empty hash", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$"],
    ["extra segment", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA$aGFzaA"],
    ["padded base64", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA==$aGFzaA"],
    ["base64url alphabet", "$argon2id$v=19$m=1,t=1,p=1$c2F_dA$aGFzaA"],
    ["non-canonical trailing bits", "$argon2id$v=19$m=1,t=1,p=1$c2FsdB$aGFzaA"],
    ["impossible base64 length", "$argon2id$v=19$m=1,t=1,p=1$c2FsdAAAA$aGFzaA"],
    ["non-numeric version", "$argon2id$v=x$m=1,t=1,p=1$c2FsdA$aGFzaA"],
    ["duplicate param", "$argon2id$v=19$m=1,m=2,p=1$c2FsdA$aGFzaA"],
    ["empty param value", "$argon2id$v=19$m=,t=1,p=1$c2FsdA$aGFzaA"],
    ["param without =", "$argon2id$v=19$m,t=1,p=1$c2FsdA$aGFzaA"],
    ["trailing comma", "$argon2id$v=19$m=1,$c2FsdA$aGFzaA"],
    ["oversized", `$argon2id$v=19$m=1,t=1,p=1$${"A".repeat(MAX_PHC_LENGTH)}$aGFzaA`],
  ])("returns null for %s", (_, text) => {
    expect(decodePhc(text)).toBeNull();
  });

  it("returns null for non-strings instead of throwing", () => {
    expect(decodePhc(undefined as unknown as string)).toBeNull();
    expect(decodePhc(42 as unknown as string)).toBeNull();
  });
});

describe("phcId", () => {
  it("reads the id alone", () => {
    expect(phcId(ARGON2)).toBe("argon2id");
    expect(phcId("$pbkdf2-sha256$i=1$x$y")).toBe("pbkdf2-sha256");
    expect(phcId("$2b$10$abcdefghijklmnopqrstuv")).toBe("2b");
  });

  it("returns null for non-PHC text", () => {
    expect(phcId("plaintext")).toBeNull();
    expect(phcId("$UPPER$x")).toBeNull();
    expect(phcId("")).toBeNull();
  });
});

describe("phcInteger", () => {
  it("accepts canonical decimals only", () => {
    expect(phcInteger("0")).toBe(0);
    expect(phcInteger("600000")).toBe(600000);
    for (const bad of ["", "01", "-1", "+1", "1e6", "1.5", " 1", "0x10", "12345678901234567"]) {
      expect(phcInteger(bad)).toBeNull();
    }
    expect(phcInteger(undefined)).toBeNull();
  });
});

describe("base64", () => {
  it("round-trips every length without padding", () => {
    for (let length = 0; length < 20; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 251) & 0xff);
      const text = base64Encode(bytes);
      expect(text).not.toContain("=");
      expect(base64Decode(text)).toEqual(bytes);
    }
  });

  it("uses the standard alphabet", () => {
    expect(base64Encode(Uint8Array.of(0xfb, 0xff))).toBe("+/8");
  });
});
