import { scryptAsync } from "@noble/hashes/scrypt.js";
import { constantTimeEqual } from "../../crypto/constant-time.js";
import { hexDecode } from "./encodings.js";
import { decimal, encoder, type ForeignFormat } from "./format.js";

/*
 * scrypt (RFC 7914) as werkzeug 3 stores it, its default since 3.0:
 * `scrypt:32768:8:1$<salt text>$<hex of 64 bytes>`, and as better-auth does (its default):
 * `<32 hex salt>:<128 hex key>`. `crypto.subtle` has no scrypt; @noble/hashes (already the
 * library's Argon2) computes it in pure JS, yielding to the event loop.
 */

/**
 * What a stored scrypt hash may cost: 128·N·r bytes of memory at most 256 MiB (werkzeug's default
 * takes 32 MiB), and at most three times that in total over the p lanes, which run one after
 * another here. Fixed, unlike Argon2's option: no common stack writes scrypt anywhere near it.
 */
export const SCRYPT_LIMITS = {
  maxMemoryBytes: 256 * 1024 * 1024,
  maxWorkBytes: 3 * 256 * 1024 * 1024,
  hashLength: { min: 16, max: 64 },
} as const;

const WERKZEUG_SCRYPT = /^scrypt:([0-9]+):([0-9]+):([0-9]+)\$([^$]+)\$([^$]+)$/;

export const werkzeugScrypt: ForeignFormat = {
  name: "werkzeug scrypt",
  claims: (stored) => stored.startsWith("scrypt:"),
  read(stored) {
    const match = WERKZEUG_SCRYPT.exec(stored);
    if (!match)
      return { problem: "malformed werkzeug scrypt hash (expected scrypt:N:r:p$salt$hex)" };
    const [, n, r, p, salt, hex] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const N = decimal(n, 2 ** 30);
    const blockSize = decimal(r, 1024);
    const lanes = decimal(p, 1024);
    const hash = hexDecode(hex);
    if (N === null || N < 2 || (N & (N - 1)) !== 0 || blockSize === null || lanes === null) {
      return { problem: "scrypt parameters must be N a power of two, r and p positive" };
    }
    const { maxMemoryBytes, maxWorkBytes, hashLength } = SCRYPT_LIMITS;
    const memory = 128 * N * blockSize;
    if (memory > maxMemoryBytes || memory * lanes > maxWorkBytes) {
      return {
        problem: `scrypt N=${N}, r=${blockSize}, p=${lanes} asks for more than ${maxMemoryBytes / 2 ** 20} MiB (or ${maxWorkBytes / 2 ** 20} MiB of work), the most this library verifies`,
      };
    }
    if (hash === null || hash.length < hashLength.min || hash.length > hashLength.max) {
      return { problem: "the scrypt hash is not hex of 16 to 64 bytes" };
    }
    return {
      async verify(password) {
        const actual = await scryptAsync(encoder.encode(password), encoder.encode(salt), {
          N,
          r: blockSize,
          p: lanes,
          dkLen: hash.length,
          asyncTick: 10,
          // noble's own cap is 1 GiB; the limits above are the ones that apply.
          maxmem: 128 * blockSize * (N + lanes + 1),
        });
        return constantTimeEqual(actual, hash);
      },
    };
  },
};

/** better-auth's fixed parameters (its `crypto/password.ts`): 32 MiB, one lane, 64 bytes. */
const BETTER_AUTH = { N: 16_384, r: 16, p: 1, dkLen: 64 } as const;

const BETTER_AUTH_HASH = /^([0-9a-f]{32}):([0-9a-f]{128})$/;

/**
 * better-auth's default password hash: scrypt over the NFKC password, salted with the salt's hex
 * text itself (not its bytes). It has no scheme marker, so it is recognised by its exact shape:
 * 32 hex digits, a colon, 128 hex digits.
 */
export const betterAuthScrypt: ForeignFormat = {
  name: "better-auth scrypt",
  claims: (stored) => BETTER_AUTH_HASH.test(stored),
  read(stored) {
    const [, salt, hex] = BETTER_AUTH_HASH.exec(stored) as unknown as [string, string, string];
    const hash = hexDecode(hex) as Uint8Array;
    return {
      async verify(password) {
        const { N, r, p, dkLen } = BETTER_AUTH;
        const actual = await scryptAsync(encoder.encode(password), encoder.encode(salt), {
          N,
          r,
          p,
          dkLen,
          asyncTick: 10,
        });
        return constantTimeEqual(actual, hash);
      },
    };
  },
};
