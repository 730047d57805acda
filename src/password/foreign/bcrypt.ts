import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { AuthError } from "../../errors.js";
import { base64Encode } from "../phc.js";
import { encoder, type ForeignFormat, type ForeignReading } from "./format.js";

/*
 * bcrypt, as Node apps (bcrypt, bcryptjs), PHP (`$2y$`), Python's bcrypt and passlib, Rails and
 * Django store it, verified by bcryptjs: pure JS, so it runs on every runtime. It is loaded on
 * the first bcrypt hash met, so a deployment that never sees one never loads it.
 *
 * bcrypt reads at most 72 bytes of the password (its UTF-8, plus a NUL terminator when shorter):
 * bcryptjs truncates exactly as OpenBSD's bcrypt, Python's bcrypt and Node's bcrypt do, so a long
 * password verifies here as it did there. `$2a$`, `$2b$` and `$2y$` compute the same thing for
 * any password under 256 bytes; `$2x$` (crypt_blowfish's pre-2011 bug) is refused.
 */

/**
 * The most rounds (log2) verified: 2^15 rounds take ~2 s in pure JS. Common defaults are 10
 * (Node's bcrypt, Laravel) and 12 (Python's bcrypt, passlib, Rails, Django).
 */
export const MAX_BCRYPT_COST = 15;

type Compare = (password: string, hash: string) => Promise<boolean>;

let loading: Promise<Compare> | undefined;

function loadBcrypt(): Promise<Compare> {
  loading ??= import("bcryptjs").then(
    (module) => module.compare,
    (error: unknown) => {
      loading = undefined; // the next call retries instead of failing forever
      throw new AuthError(
        "unavailable",
        "Could not load bcryptjs to verify a bcrypt password hash",
        {},
        { cause: error },
      );
    },
  );
  return loading;
}

const MODULAR = /^\$2([abxy])\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

/**
 * Reads a `$2?$NN$<salt><hash>` string and returns a verifier that feeds it `key(password)`:
 * the password itself for plain bcrypt, a digest of it for the pre-hashing variants.
 */
function readModular(
  hash: string,
  key: (password: string, salt: string) => string,
  name: string,
): ForeignReading {
  const match = MODULAR.exec(hash);
  if (!match) return { problem: `malformed ${name} hash` };
  const [, minor, rounds, salt] = match as unknown as [string, string, string, string];
  if (minor === "x") {
    return {
      problem:
        "$2x$ hashes come from crypt_blowfish's pre-2011 sign-extension bug and cannot be verified faithfully: have these users reset their password",
    };
  }
  const cost = Number(rounds);
  if (cost < 4 || cost > MAX_BCRYPT_COST) {
    return {
      problem: `bcrypt cost ${cost} is outside 4 to ${MAX_BCRYPT_COST}, what this library verifies`,
    };
  }
  return {
    async verify(password) {
      const compare = await loadBcrypt();
      return compare(key(password, salt), hash);
    },
  };
}

const plain = (password: string) => password;

/** `$2a$`, `$2b$`, `$2y$`: the modular crypt format every bcrypt library writes. */
export const bcryptModular: ForeignFormat = {
  name: "bcrypt",
  claims: (stored) => /^\$2[abxy]\$/.test(stored),
  read: (stored) => readModular(stored, plain, "bcrypt"),
};

/** Lower-case hex of SHA-256 over the UTF-8 password: Django's pre-hash for bcrypt_sha256. */
function sha256Hex(password: string): string {
  let hex = "";
  for (const byte of sha256(encoder.encode(password))) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Django's BCryptPasswordHasher (`bcrypt$$2b$...`, the raw password) and
 * BCryptSHA256PasswordHasher (`bcrypt_sha256$$2b$...`, bcrypt over the SHA-256 hex digest, so
 * nothing is lost to the 72-byte limit).
 */
export const djangoBcrypt: ForeignFormat = {
  name: "Django bcrypt",
  claims: (stored) => /^bcrypt(?:_sha256)?\$\$2/.test(stored),
  read(stored) {
    const sha = stored.startsWith("bcrypt_sha256$");
    const inner = stored.slice(sha ? "bcrypt_sha256$".length : "bcrypt$".length);
    return readModular(
      inner,
      sha ? sha256Hex : plain,
      sha ? "Django bcrypt_sha256" : "Django bcrypt",
    );
  },
};

const PASSLIB_V2 =
  /^\$bcrypt-sha256\$v=2,t=(2[ab]),r=([0-9]{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;
const PASSLIB_V1 =
  /^\$bcrypt-sha256\$(2[ab]),([0-9]{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;

/**
 * passlib's bcrypt_sha256: bcrypt over the base64 of HMAC-SHA256 keyed with the salt's text
 * (v=2), or of plain SHA-256 (the original version, without `v=`).
 */
export const passlibBcryptSha256: ForeignFormat = {
  name: "passlib bcrypt_sha256",
  claims: (stored) => stored.startsWith("$bcrypt-sha256$"),
  read(stored) {
    const v2 = PASSLIB_V2.exec(stored);
    const match = v2 ?? PASSLIB_V1.exec(stored);
    if (!match) return { problem: "malformed passlib bcrypt_sha256 hash" };
    const [, ident, rounds, salt, checksum] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const modular = `$${ident}$${rounds.padStart(2, "0")}$${salt}${checksum}`;
    const key = v2
      ? (password: string) =>
          base64Padded(hmac(sha256, encoder.encode(salt), encoder.encode(password)))
      : (password: string) => base64Padded(sha256(encoder.encode(password)));
    return readModular(modular, key, "passlib bcrypt_sha256");
  },
};

/** Python's `base64.b64encode`: standard alphabet, `=` padding. */
function base64Padded(bytes: Uint8Array): string {
  const text = base64Encode(bytes);
  return text + "=".repeat((4 - (text.length % 4)) % 4);
}
