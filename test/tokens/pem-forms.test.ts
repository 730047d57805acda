import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PemKeyError, readPemKey } from "../../src/config/pem-key.js";
import { ConfigError } from "../../src/index.js";
import { verifyAccessToken } from "../../src/verify/index.js";
import { skipOrFail } from "../faults/free-port.js";
import { makeAuth, registered } from "../helpers.js";
import { decodeJwt, passwordTokens } from "./helpers.js";

/*
 * `tokens.keys` takes private keys the way the real openssl binary writes them by default, not
 * only PKCS#8: every key here is made by openssl at test time, the conversion is compared byte
 * for byte with openssl's own (`openssl pkcs8 -topk8 -nocrypt`), and the tokens it signs verify
 * with portcullis/verify against the public key openssl extracts. The forms it cannot take are
 * refused by createAuth with the command that converts them.
 */

const run = promisify(execFile);
let dir = "";

async function opensslReady(): Promise<boolean> {
  try {
    await run("openssl", ["version"]);
    return true;
  } catch {
    return skipOrFail("the openssl binary", "test/tokens/pem-forms.test.ts");
  }
}

const ready = await opensslReady();

/** Runs openssl with `args` in the scratch directory; its standard output. */
async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run("openssl", args, { cwd: dir });
  return stdout;
}

const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name), "utf8");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "portcullis-pem-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A key made by openssl as a user would make it, with the public key openssl extracts. */
interface Made {
  form: string;
  alg: "EdDSA" | "ES256" | "RS256";
  /** The BEGIN line openssl wrote, to show the test is about that form. */
  label: RegExp;
  make: () => Promise<void>;
}

const FORMS: Made[] = [
  {
    form: "Ed25519 (openssl genpkey: PKCS#8 already)",
    alg: "EdDSA",
    label: /^-----BEGIN PRIVATE KEY-----/,
    make: () => openssl("genpkey", "-algorithm", "ed25519", "-out", "key.pem").then(() => {}),
  },
  {
    form: "P-256, SEC1 (openssl ecparam -genkey -noout)",
    alg: "ES256",
    label: /^-----BEGIN EC PRIVATE KEY-----/,
    make: () =>
      openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem").then(
        () => {},
      ),
  },
  {
    form: "P-256, SEC1 after an EC PARAMETERS block (openssl ecparam -genkey)",
    alg: "ES256",
    label: /^-----BEGIN EC PARAMETERS-----[\s\S]*-----BEGIN EC PRIVATE KEY-----/,
    make: () =>
      openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "key.pem").then(() => {}),
  },
  {
    form: "RSA, PKCS#1 (openssl genrsa -traditional)",
    alg: "RS256",
    label: /^-----BEGIN RSA PRIVATE KEY-----/,
    make: () => openssl("genrsa", "-traditional", "-out", "key.pem", "2048").then(() => {}),
  },
  {
    form: "RSA, OpenSSL 3's default (openssl genrsa: PKCS#8)",
    alg: "RS256",
    label: /^-----BEGIN PRIVATE KEY-----/,
    make: () => openssl("genrsa", "-out", "key.pem", "2048").then(() => {}),
  },
];

describe.skipIf(!ready)("tokens.keys with keys made by openssl", () => {
  for (const made of FORMS) {
    it(`signs with ${made.form}; portcullis/verify accepts its tokens`, async () => {
      await made.make();
      const pem = read("key.pem");
      expect(pem).toMatch(made.label);
      const publicPem = await openssl("pkey", "-in", "key.pem", "-pubout");
      const auth = makeAuth({ tokens: { algorithm: made.alg, keys: [{ kid: "k1", pem }] } });
      await auth.ready();
      await registered(auth);
      const { access_token } = await passwordTokens(auth);
      expect(decodeJwt(access_token).header).toMatchObject({ alg: made.alg, kid: "k1" });
      const claims = await verifyAccessToken(access_token, {
        keys: [{ kid: "k1", alg: made.alg, publicKey: publicPem }],
        issuer: auth.config.baseURL,
        audience: auth.config.baseURL,
      });
      expect(claims.client_id).toBe("portcullis");
      // The published key is openssl's public key too.
      await expect(
        verifyAccessToken(access_token, {
          jwks: await auth.api.jwks(),
          issuer: auth.config.baseURL,
          audience: auth.config.baseURL,
        }),
      ).resolves.toMatchObject({ sub: claims.sub });
    });
  }

  it("converts SEC1 and PKCS#1 byte for byte as openssl pkcs8 -topk8 -nocrypt does", async () => {
    await openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.pem");
    await openssl("genrsa", "-traditional", "-out", "rsa.pem", "2048");
    for (const name of ["ec.pem", "rsa.pem"]) {
      const reference = await openssl("pkcs8", "-topk8", "-nocrypt", "-in", name);
      expect(readPemKey(read(name))).toMatchObject({ kind: "private", pem: reference });
    }
    // A PKCS#1 public key (openssl rsa -RSAPublicKey_out) becomes the SPKI openssl makes of it.
    const pkcs1Public = await openssl("rsa", "-in", "rsa.pem", "-RSAPublicKey_out");
    expect(pkcs1Public).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    writeFileSync(file("rsa-public.pem"), pkcs1Public);
    const spki = await openssl("rsa", "-RSAPublicKey_in", "-in", "rsa-public.pem", "-pubout");
    expect(readPemKey(pkcs1Public)).toEqual({ kind: "public", type: "an RSA key", pem: spki });
  });

  it("keeps a retired key given as a PKCS#1 public key: published, verifying", async () => {
    await openssl("genrsa", "-traditional", "-out", "new.pem", "2048");
    await openssl("genrsa", "-traditional", "-out", "old.pem", "2048");
    const oldPublic = await openssl("rsa", "-in", "old.pem", "-RSAPublicKey_out");
    const auth = makeAuth({
      tokens: {
        algorithm: "RS256",
        keys: [
          { kid: "new", pem: read("new.pem") },
          { kid: "old", pem: oldPublic },
        ],
      },
    });
    await auth.ready();
    const jwks = await auth.api.jwks();
    expect(jwks.keys.map((key) => key.kid)).toEqual(["new", "old"]);
    // A token the old private key signed (before the rotation) still verifies against the set.
    const { createPrivateKey } = await import("node:crypto");
    const { SignJWT } = await import("jose");
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: "s", client_id: "portcullis" })
      .setProtectedHeader({ alg: "RS256", kid: "old", typ: "at+jwt" })
      .setIssuer(auth.config.baseURL)
      .setAudience(auth.config.baseURL)
      .setSubject("u")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti("j")
      .sign(createPrivateKey(read("old.pem")));
    await expect(auth.api.verifyAccessToken(token)).resolves.toMatchObject({ sub: "u" });
  });
});

describe.skipIf(!ready)("PEMs it cannot take: refused at createAuth with the fix", () => {
  function refusal(pem: string, algorithm: "EdDSA" | "ES256" | "RS256"): ConfigError {
    try {
      makeAuth({ tokens: { algorithm, keys: [{ kid: "k1", pem }] } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe("tokens.keys.0");
      return error as ConfigError;
    }
    throw new Error("createAuth accepted the key");
  }

  it("an encrypted key, in either of openssl's encrypted forms", async () => {
    await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "plain.pem");
    const traditional = await openssl(
      "ec",
      "-in",
      "plain.pem",
      "-aes256",
      "-passout",
      "pass:secret",
    );
    expect(traditional).toMatch(/Proc-Type: 4,ENCRYPTED/);
    const pkcs8 = await openssl(
      "pkcs8",
      "-topk8",
      "-in",
      "plain.pem",
      "-v2",
      "aes-256-cbc",
      "-passout",
      "pass:secret",
    );
    expect(pkcs8).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    for (const pem of [traditional, pkcs8]) {
      expect(refusal(pem, "ES256").message).toContain(
        "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem",
      );
    }
  });

  it("a certificate, with the command that takes its public key", async () => {
    await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "c.pem");
    const certificate = await openssl(
      "req",
      "-x509",
      "-new",
      "-key",
      "c.pem",
      "-subj",
      "/CN=portcullis-test",
      "-days",
      "1",
    );
    expect(refusal(certificate, "ES256").message).toContain("openssl x509 -pubkey -noout");
  });

  it("a key of the wrong type or curve for the algorithm", async () => {
    const p384 = await openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout");
    expect(refusal(p384, "ES256").message).toContain(
      "ES256 needs an EC P-256 key, and this pem holds an EC key on another curve than P-256",
    );
    const rsa = await openssl("genrsa", "-traditional", "2048");
    expect(refusal(rsa, "ES256").message).toContain("this pem holds an RSA key");
    const ed = await openssl("genpkey", "-algorithm", "ed25519");
    expect(refusal(ed, "RS256").message).toContain(
      "RS256 needs an RSA key, and this pem holds an Ed25519 key",
    );
  });

  it("a damaged key, and a public key where the signing key must be", async () => {
    await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "p.pem");
    const lines = read("p.pem").trim().split("\n");
    // The armour kept, the DER cut short: the lengths inside no longer fit.
    const damaged = [lines[0], lines[1]?.slice(0, 40), lines.at(-1)].join("\n");
    expect(refusal(damaged, "ES256").message).toContain("well-formed");
    const publicPem = await openssl("ec", "-in", "p.pem", "-pubout");
    expect(refusal(publicPem, "ES256").message).toContain("the first key signs");
  });
});

describe("readPemKey on garbage", () => {
  it("fails with PemKeyError, never anything else, whatever the armour holds", () => {
    const labels = [
      "PRIVATE KEY",
      "EC PRIVATE KEY",
      "RSA PRIVATE KEY",
      "PUBLIC KEY",
      "RSA PUBLIC KEY",
    ];
    for (let round = 0; round < 500; round++) {
      const bytes = crypto.getRandomValues(new Uint8Array(1 + (round % 200)));
      // Half the time a plausible start: a SEQUENCE with a long-form length.
      if (round % 2 === 0) bytes.set([0x30, 0x82, round % 256, 0x02].slice(0, bytes.length));
      const label = labels[round % labels.length];
      const pem = `-----BEGIN ${label}-----\n${Buffer.from(bytes).toString("base64")}\n-----END ${label}-----\n`;
      try {
        readPemKey(pem);
      } catch (error) {
        expect(error).toBeInstanceOf(PemKeyError);
      }
    }
    for (const text of ["", "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----"]) {
      expect(() => readPemKey(text)).toThrow(PemKeyError);
    }
  });
});
