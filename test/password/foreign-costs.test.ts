import { describe, expect, it } from "vitest";
import { nativeArgon2id } from "../../adapters/node/native-argon2.js";
import { passwordHashing } from "../../src/password/hashing.js";
import { pbkdf2 } from "../../src/password/pbkdf2.js";
import { verifyStoredPassword } from "../../src/password/verify-stored.js";
import { foreign, passwordOf } from "./foreign-fixtures.js";

/*
 * Other stacks' hashes at their libraries' default costs (fixtures/generate.py): slower than the
 * cheap fixtures of foreign-formats.test.ts, so apart, and each verified once. What matters is
 * that the defaults are within the limits and verify.
 */

const fastPbkdf2 = pbkdf2({ iterations: 1000, dangerouslyWeak: true });
const core = passwordHashing(fastPbkdf2);
const WRONG = "correct horse battery stapler";

describe("each library's default cost", () => {
  const byName = (library: string, scheme: string) => foreign(library, scheme);

  it("verifies bcrypt at 12 rounds (passlib, Python's bcrypt)", async () => {
    for (const fixture of [byName("passlib", "bcrypt default"), byName("bcrypt", "2b default")]) {
      expect(fixture.hash).toMatch(/^\$2b\$12\$/);
      expect(await verifyStoredPassword(core, fixture.hash, passwordOf(fixture))).toBe("match");
    }
  });

  it("verifies Argon2id at 100 MiB, p=8 (Django, passlib, argon2-cffi < 21.2) and RFC 9106's 64 MiB profile", async () => {
    // Through the Node adapter's native Argon2id, as a Node deployment verifies them; the
    // pure-JS engine verifies Django's at sign-in in foreign-login.test.ts.
    const node = passwordHashing(fastPbkdf2, [nativeArgon2id()]);
    for (const fixture of [
      byName("passlib", "argon2 default"),
      byName("argon2-cffi", "argon2id default"),
      byName("argon2-cffi", "argon2id RFC 9106 low-memory"),
      foreign("django", "argon2 default", "ascii"),
      foreign("django", "argon2 default", "nfkc"),
    ]) {
      expect(fixture.hash).toMatch(/\$m=(102400|65536),t=[23],p=[48]\$/);
      expect(await verifyStoredPassword(node, fixture.hash, passwordOf(fixture))).toBe("match");
      expect(await verifyStoredPassword(node, fixture.hash, WRONG)).toBe("mismatch");
    }
  });

  it("verifies argon2i at 100 MiB in pure JS", { timeout: 120_000 }, async () => {
    const fixture = byName("argon2-cffi", "argon2i default");
    expect(fixture.hash).toMatch(/^\$argon2i\$v=19\$m=102400,t=2,p=8\$/);
    expect(await verifyStoredPassword(core, fixture.hash, passwordOf(fixture))).toBe("match");
  });
});
