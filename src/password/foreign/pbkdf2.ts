import { constantTimeEqual } from "../../crypto/constant-time.js";
import { PBKDF2_MAX_ITERATIONS, type Pbkdf2Digest, pbkdf2Hmac } from "../pbkdf2.js";
import { pbkdf2IterationCap } from "../runtime-limits.js";
import { ab64Decode, hexDecode, paddedBase64Decode } from "./encodings.js";
import { decimal, encoder, type ForeignFormat, type ForeignReading } from "./format.js";

/*
 * PBKDF2-HMAC as passlib, Django and werkzeug (Flask) store it. The computation is the one
 * `crypto.subtle` does natively; only the encodings differ:
 *   passlib   $pbkdf2-sha256$29000$<ab64 salt bytes>$<ab64 hash>   ($pbkdf2$ is SHA-1)
 *   Django    pbkdf2_sha256$260000$<salt text>$<base64 hash>
 *   werkzeug  pbkdf2:sha256:260000$<salt text>$<hex hash>
 */

interface Pbkdf2Hash {
  digest: Pbkdf2Digest;
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

const DIGEST_BYTES: Record<Pbkdf2Digest, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 };

/** What a salt may be: passlib allows up to 1024 bytes; anything longer is not a salt. */
const MAX_SALT_BYTES = 1024;

function reading(parsed: Pbkdf2Hash | string): ForeignReading {
  if (typeof parsed === "string") return { problem: parsed };
  return {
    async verify(password) {
      const { digest, iterations, salt, hash } = parsed;
      const actual = await pbkdf2Hmac(
        digest,
        encoder.encode(password),
        salt,
        iterations,
        hash.length,
      );
      return constantTimeEqual(actual, hash);
    },
  };
}

function iterationsOf(text: string | undefined): number | string {
  const iterations = decimal(text, PBKDF2_MAX_ITERATIONS);
  if (iterations === null) return `the iteration count must be from 1 to ${PBKDF2_MAX_ITERATIONS}`;
  // Django's 260,000 and werkzeug's 600,000 are above what Cloudflare Workers compute: say so in
  // the log rather than fail the sign-in with the runtime's error.
  const cap = pbkdf2IterationCap();
  if (cap !== null && iterations > cap) {
    return `${iterations} iterations are more than this runtime computes (${cap} on Cloudflare Workers)`;
  }
  return iterations;
}

/** A text salt (Django, werkzeug): used as its UTF-8 bytes. */
function textSalt(text: string | undefined): Uint8Array | string {
  const salt = encoder.encode(text ?? "");
  return salt.length === 0 || salt.length > MAX_SALT_BYTES ? "the salt is empty or too long" : salt;
}

function checked(
  digest: Pbkdf2Digest,
  iterations: number | string,
  salt: Uint8Array | string | null,
  hash: Uint8Array | null,
  exactLength: boolean,
): Pbkdf2Hash | string {
  if (typeof iterations === "string") return iterations;
  if (salt === null || typeof salt === "string")
    return salt ?? "the salt is not encoded as expected";
  const size = DIGEST_BYTES[digest];
  const lengthOk =
    hash !== null && (exactLength ? hash.length === size : hash.length >= 16 && hash.length <= 64);
  if (hash === null || !lengthOk) return "the hash is not encoded as expected";
  return { digest, iterations, salt, hash };
}

const PASSLIB = /^\$(pbkdf2|pbkdf2-sha256|pbkdf2-sha512)\$([^$]*)\$([^$]*)\$([^$]*)$/;
const PASSLIB_DIGESTS: Record<string, Pbkdf2Digest> = {
  pbkdf2: "SHA-1",
  "pbkdf2-sha256": "SHA-256",
  "pbkdf2-sha512": "SHA-512",
};

/**
 * passlib's pbkdf2_sha1/sha256/sha512. Its `$pbkdf2-sha256$` shares Portcullis's PHC id but
 * writes the rounds bare (`29000`, not `i=600000`), which is how the two are told apart.
 */
export const passlibPbkdf2: ForeignFormat = {
  name: "passlib pbkdf2",
  claims: (stored) => /^\$pbkdf2(?:-sha256|-sha512)?\$[0-9]/.test(stored),
  read(stored) {
    const match = PASSLIB.exec(stored);
    if (!match) return { problem: "malformed passlib pbkdf2 hash" };
    const [, scheme, rounds, salt, hash] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const digest = PASSLIB_DIGESTS[scheme] as Pbkdf2Digest;
    const saltBytes = ab64Decode(salt);
    const tooLong = saltBytes !== null && saltBytes.length > MAX_SALT_BYTES;
    return reading(
      checked(digest, iterationsOf(rounds), tooLong ? null : saltBytes, ab64Decode(hash), true),
    );
  },
};

const DJANGO = /^(pbkdf2_sha256|pbkdf2_sha1)\$([^$]*)\$([^$]*)\$([^$]*)$/;

/** Django's PBKDF2PasswordHasher (`pbkdf2_sha256`) and PBKDF2SHA1PasswordHasher (`pbkdf2_sha1`). */
export const djangoPbkdf2: ForeignFormat = {
  name: "Django pbkdf2",
  claims: (stored) => /^pbkdf2_sha(?:1|256)\$/.test(stored),
  read(stored) {
    const match = DJANGO.exec(stored);
    if (!match) return { problem: "malformed Django pbkdf2 hash" };
    const [, algorithm, iterations, salt, hash] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const digest = algorithm === "pbkdf2_sha1" ? "SHA-1" : "SHA-256";
    return reading(
      checked(digest, iterationsOf(iterations), textSalt(salt), paddedBase64Decode(hash), false),
    );
  },
};

const WERKZEUG = /^pbkdf2:([a-z0-9]+):([^$:]*)\$([^$]*)\$([^$]*)$/;
const WERKZEUG_DIGESTS: Record<string, Pbkdf2Digest> = {
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha512: "SHA-512",
};

/** werkzeug's (Flask's) `generate_password_hash` with `pbkdf2:<digest>:<iterations>`. */
export const werkzeugPbkdf2: ForeignFormat = {
  name: "werkzeug pbkdf2",
  claims: (stored) => stored.startsWith("pbkdf2:"),
  read(stored) {
    const match = WERKZEUG.exec(stored);
    if (!match) {
      return {
        problem:
          "malformed werkzeug pbkdf2 hash (expected pbkdf2:<digest>:<iterations>$<salt>$<hex>)",
      };
    }
    const [, name, iterations, salt, hash] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const digest = Object.hasOwn(WERKZEUG_DIGESTS, name) ? WERKZEUG_DIGESTS[name] : undefined;
    if (digest === undefined) {
      return {
        problem: `werkzeug pbkdf2 with ${name} is not supported (sha1, sha256, sha512 are)`,
      };
    }
    return reading(
      checked(digest, iterationsOf(iterations), textSalt(salt), hexDecode(hash), false),
    );
  },
};
