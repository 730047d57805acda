import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { passwordHashing } from "../../src/password/hashing.js";
import { pbkdf2 } from "../../src/password/pbkdf2.js";
import { verifyStoredPassword } from "../../src/password/verify-stored.js";

/*
 * Python's password libraries as the peer, live: fresh hashes made at test time by Debian's
 * python3-passlib, python3-django, python3-bcrypt, python3-argon2 and python3-werkzeug (the
 * committed fixtures cover the same formats without Python). Missing packages skip the suite
 * with a visible warning on a developer's machine and fail it in CI, where .ci/run installs them.
 */

// Debian's interpreter: a pyenv or venv `python3` earlier on the PATH lacks Debian's packages.
const PYTHON =
  process.env.PORTCULLIS_TEST_PYTHON ??
  (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

const inCI = () => process.env.CI === "true" || process.env.CI === "1";

function pythonReady(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import passlib, django, bcrypt, argon2, werkzeug"], {
      stdio: "pipe",
    });
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    if (inCI()) throw new Error(`Python's password libraries are required in CI: ${reason}`);
    console.warn(
      `\n[portcullis] ${PYTHON} lacks passlib, django, bcrypt, argon2 or werkzeug (${reason}): the live Python interop tests are SKIPPED (apt-get install python3-passlib python3-django python3-bcrypt python3-argon2 python3-werkzeug)\n`,
    );
    return false;
  }
}

/** Hashes `password` with each scheme; the password travels on stdin, never in argv. */
const SCRIPT = `
import sys, json
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
])
django.setup()
from django.contrib.auth.hashers import make_password, BCryptSHA256PasswordHasher
from passlib import hash as passlib_hash
import argon2, bcrypt
from werkzeug.security import generate_password_hash

class FastBCryptSHA256(BCryptSHA256PasswordHasher):
    rounds = 10

password = sys.stdin.read()
print(json.dumps({
    "passlib pbkdf2_sha512": passlib_hash.pbkdf2_sha512.hash(password),
    "passlib bcrypt_sha256": passlib_hash.bcrypt_sha256.using(rounds=10).hash(password),
    "django pbkdf2_sha256": make_password(password, hasher="pbkdf2_sha256"),
    "django bcrypt_sha256": make_password(password, hasher=FastBCryptSHA256()),
    "bcrypt 2b": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode(),
    "argon2-cffi argon2i": argon2.PasswordHasher(memory_cost=2048, parallelism=2, type=argon2.Type.I).hash(password),
    "werkzeug pbkdf2:sha256": generate_password_hash(password, "pbkdf2:sha256"),
}))
`;

const ready = pythonReady();
const core = passwordHashing(pbkdf2({ iterations: 1000, dangerouslyWeak: true }));

const SCHEMES = [
  "passlib pbkdf2_sha512",
  "passlib bcrypt_sha256",
  "django pbkdf2_sha256",
  "django bcrypt_sha256",
  "bcrypt 2b",
  "argon2-cffi argon2i",
  "werkzeug pbkdf2:sha256",
];

describe.skipIf(!ready)(`live interop with Python's libraries (${PYTHON})`, () => {
  // Random each run, with characters NFKC changes: № ﬁ full-width, a no-break space.
  const password = `№${crypto.randomUUID().slice(0, 8)} ﬁ\u00a0ｘ${Math.random()}`;
  let hashes: Record<string, string> = {};
  beforeAll(() => {
    hashes = JSON.parse(
      execFileSync(PYTHON, ["-c", SCRIPT], { input: password, encoding: "utf8" }),
    );
    expect(Object.keys(hashes).sort()).toEqual([...SCHEMES].sort());
  });

  it.each(SCHEMES)("verifies a fresh %s hash", async (scheme) => {
    const stored = hashes[scheme] as string;
    expect(await verifyStoredPassword(core, stored, password)).toBe("match");
    expect(await verifyStoredPassword(core, stored, `${password}.`)).toBe("mismatch");
  });
});
