import * as OTPAuth from "otpauth";
import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode } from "../../src/mfa/base32.js";
import { otpauthURI } from "../../src/mfa/otpauth-uri.js";
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
} from "../../src/mfa/recovery-codes.js";
import { hotp, importTotpKey, matchTotpStep, totp, totpStep } from "../../src/mfa/totp.js";

/** The RFC 4226 / RFC 6238 test seed for SHA-1: the ASCII bytes of "12345678901234567890". */
const SEED = new TextEncoder().encode("12345678901234567890");

describe("HOTP (RFC 4226 Appendix D)", () => {
  it("gives the RFC's ten codes for counters 0 to 9", async () => {
    const key = await importTotpKey(SEED);
    const codes = await Promise.all(Array.from({ length: 10 }, (_, counter) => hotp(key, counter)));
    expect(codes).toEqual([
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ]);
  });
});

describe("TOTP (RFC 6238 Appendix B, the SHA-1 rows, 8 digits)", () => {
  // [Unix time in seconds, time step T in hex, TOTP]
  const vectors: [number, string, string][] = [
    [59, "0000000000000001", "94287082"],
    [1111111109, "00000000023523EC", "07081804"],
    [1111111111, "00000000023523ED", "14050471"],
    [1234567890, "000000000273EF07", "89005924"],
    [2000000000, "0000000003F940AA", "69279037"],
    // Past 2^32 seconds (the year 2603): the step still fits, the time no longer does in 32 bits.
    [20000000000, "0000000027BC86AA", "65353130"],
  ];

  for (const [seconds, step, code] of vectors) {
    it(`at ${seconds} s: T = ${step}, TOTP ${code}`, async () => {
      const key = await importTotpKey(SEED);
      expect(totpStep(seconds * 1000)).toBe(Number.parseInt(step, 16));
      expect(await totp(key, seconds * 1000, { digits: 8 })).toBe(code);
    });
  }

  it("encodes the counter as 64 bits: a counter past 2^32 is not truncated", async () => {
    const key = await importTotpKey(SEED);
    // 2^32 + 1 truncated to 32 bits would be counter 1 ("287082"); it must not be.
    expect(await hotp(key, 2 ** 32 + 1)).not.toBe("287082");
    expect(await hotp(key, 2 ** 32 + 1)).toBe(
      OTPAuth.HOTP.generate({ secret: OTPAuth.Secret.fromHex(hex(SEED)), counter: 2 ** 32 + 1 }),
    );
    await expect(hotp(key, -1)).rejects.toThrow(RangeError);
    await expect(hotp(key, 2 ** 53)).rejects.toThrow(RangeError);
  });

  it("agrees with an independent implementation (otpauth) on random secrets and times", async () => {
    for (let i = 0; i < 20; i++) {
      const secret = crypto.getRandomValues(new Uint8Array(20));
      const at = Math.floor(Math.random() * 4_000_000_000_000);
      const expected = OTPAuth.TOTP.generate({
        secret: OTPAuth.Secret.fromBase32(base32Encode(secret)),
        timestamp: at,
      });
      expect(await totp(await importTotpKey(secret), at)).toBe(expected);
    }
  });

  it("matches a code within ±1 step and says which step; ±2 steps is too far", async () => {
    const key = await importTotpKey(SEED);
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      const code = await hotp(key, step + offset);
      expect(await matchTotpStep(key, code, now)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      const code = await hotp(key, step + offset);
      expect(await matchTotpStep(key, code, now)).toBeNull();
    }
    expect(await matchTotpStep(key, "12345", now)).toBeNull();
  });
});

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

describe("base32 (RFC 4648 §10 test vectors, without padding)", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];
  const encoder = new TextEncoder();

  for (const [text, encoded] of vectors) {
    it(`"${text}" is "${encoded}" and back`, () => {
      expect(base32Encode(encoder.encode(text))).toBe(encoded);
      expect(base32Decode(encoded)).toEqual(encoder.encode(text));
    });
  }

  it("forgives case, spaces and padding, and refuses other characters", () => {
    expect(base32Decode("mzxw 6ytb oi======")).toEqual(encoder.encode("foobar"));
    expect(base32Decode("MZXW1")).toBeNull();
    expect(base32Decode("MZXW6!")).toBeNull();
  });

  it("round-trips a 160-bit secret as 32 characters, as authenticator apps expect", () => {
    const secret = crypto.getRandomValues(new Uint8Array(20));
    const encoded = base32Encode(secret);
    expect(encoded).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(encoded)).toEqual(secret);
    expect(OTPAuth.Secret.fromBase32(encoded).bytes).toEqual(secret);
  });
});

describe("the otpauth:// URI", () => {
  it("is what an authenticator app reads: label, secret, issuer and the fixed parameters", () => {
    const uri = otpauthURI({
      issuer: "Acme & Co",
      account: "ada+mfa@example.com",
      secret: "JBSWY3DPEHPK3PXP",
    });
    expect(uri).toBe(
      "otpauth://totp/Acme%20%26%20Co:ada%2Bmfa%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20%26%20Co&algorithm=SHA1&digits=6&period=30",
    );
    const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed.issuer).toBe("Acme & Co");
    expect(parsed.label).toBe("ada+mfa@example.com");
    expect(parsed.secret.base32).toBe("JBSWY3DPEHPK3PXP");
    expect([parsed.algorithm, parsed.digits, parsed.period]).toEqual(["SHA1", 6, 30]);
  });

  it("writes a colon of the issuer (a host:port appName) as a space, since apps split at it", () => {
    const uri = otpauthURI({
      issuer: "localhost:3000",
      account: "ada@example.com",
      secret: "JBSWY3DPEHPK3PXP",
    });
    expect(uri).toContain("otpauth://totp/localhost%203000:ada%40example.com?");
    const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
    expect(parsed.issuer).toBe("localhost 3000");
    expect(parsed.label).toBe("ada@example.com");
  });
});

describe("recovery codes", () => {
  it("are 10 different codes of 10 lower-case symbols, xxxxx-xxxxx, from the random source", () => {
    const codes = newRecoveryCodes({ fill: (bytes) => crypto.getRandomValues(bytes) });
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  });

  it("come from the injected random source, and repeats are drawn again", () => {
    let call = 0;
    // The first two draws are the same bytes: the second code is a repeat and is drawn again.
    const random = {
      fill(bytes: Uint8Array) {
        const round = call === 1 ? 0 : call;
        call++;
        bytes.fill(round);
      },
    };
    const codes = newRecoveryCodes(random);
    expect(codes[0]).toBe("00000-00000");
    expect(codes[1]).toBe("22222-22222");
    expect(new Set(codes).size).toBe(10);
  });

  it("read what a person types: case, spaces, dashes, and o/i/l for 0/1/1", () => {
    expect(normalizeRecoveryCode("7FQ2M-K0XVA")).toBe("7fq2mk0xva");
    expect(normalizeRecoveryCode(" 7fq2m k0xva ")).toBe("7fq2mk0xva");
    expect(normalizeRecoveryCode("7fq2m-kOxva")).toBe("7fq2mk0xva");
    expect(normalizeRecoveryCode("1ilo0-00000")).toBe("11100-00000".replace("-", ""));
    expect(normalizeRecoveryCode("7fq2m-k0xv")).toBeNull();
    expect(normalizeRecoveryCode("7fq2m-k0xvu")).toBeNull();
  });

  it("are stored as a hash keyed with the secret and bound to the user", () => {
    const hash = hashRecoveryCode("secret-1", "user-1", "7fq2m-k0xva");
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashRecoveryCode("secret-1", "user-1", "7FQ2M K0XVA")).toBe(hash);
    expect(hashRecoveryCode("secret-2", "user-1", "7fq2m-k0xva")).not.toBe(hash);
    expect(hashRecoveryCode("secret-1", "user-2", "7fq2m-k0xva")).not.toBe(hash);
    expect(hashRecoveryCode("secret-1", "user-1", "nope")).toBeNull();
  });
});
