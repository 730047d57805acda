import { createPublicKey, verify } from "node:crypto";
import type { CryptoKey } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deriveEd25519Key } from "../../src/context/derived-key.js";
import { ConfigError } from "../../src/index.js";
import { createAccessTokenVerifier, verifyAccessToken } from "../../src/verify/index.js";
import { call, makeAuth } from "../helpers.js";
import { bearer, decodeJwt, keyPair, passwordTokens, tokenAuth } from "./helpers.js";

/** Verifies a compact JWS with node:crypto alone, using the key published at /auth/jwks. */
function independentlyVerify(token: string, jwks: { keys: Record<string, unknown>[] }): boolean {
  const [h, p, s] = token.split(".") as [string, string, string];
  const { header } = decodeJwt(token);
  const jwk = jwks.keys.find((key) => key.kid === header.kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, "base64url");
  if (header.alg === "EdDSA") return verify(null, data, key, signature);
  if (header.alg === "ES256") {
    return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  }
  return verify("sha256", data, key, signature);
}

describe("the key ring", () => {
  it("derives one Ed25519 key from the secret: instances sharing it accept each other's tokens", async () => {
    const secret = "a-shared-secret-of-at-least-32-bytes!";
    const first = await tokenAuth({ secret });
    const second = makeAuth({ secret, storage: first.auth.storage, clock: first.clock });
    const tokens = await passwordTokens(first.auth);
    expect(await second.authenticate(bearer(tokens.access_token))).not.toBeNull();
    expect(await second.api.jwks()).toEqual(await first.auth.api.jwks());
    const other = makeAuth({ secret: "a-different-secret-of-32-bytes-or-more" });
    expect((await other.api.jwks()).keys[0]?.kid).not.toBe(
      (await first.auth.api.jwks()).keys[0]?.kid,
    );
  });

  it("derives a valid Ed25519 key pair: WebCrypto's public key matches the seed", async () => {
    const { jwk, kid } = await deriveEd25519Key("a-shared-secret-of-at-least-32-bytes!");
    const again = await deriveEd25519Key("a-shared-secret-of-at-least-32-bytes!");
    expect(again).toEqual({ jwk, kid });
    const data = Buffer.from("hello");
    const { createPrivateKey, sign } = await import("node:crypto");
    const signature = sign(null, data, createPrivateKey({ key: jwk as never, format: "jwk" }));
    const publicKey = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: jwk.x } as never,
      format: "jwk",
    });
    expect(verify(null, data, publicKey, signature)).toBe(true);
  });

  it.each(["EdDSA", "ES256", "RS256"] as const)(
    "%s tokens verify with node:crypto and the key from /auth/jwks",
    async (alg) => {
      const pair = await keyPair(alg);
      const { auth } = await tokenAuth({
        tokens: { algorithm: alg, keys: [{ kid: `${alg}-1`, pem: pair.privatePem }] },
      });
      const tokens = await passwordTokens(auth);
      expect(decodeJwt(tokens.access_token).header).toMatchObject({ alg, kid: `${alg}-1` });
      const jwks = (await call(auth, "GET", "/auth/jwks")).json as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys[0]).not.toHaveProperty("d");
      expect(independentlyVerify(tokens.access_token, jwks)).toBe(true);
      const tampered = `${tokens.access_token.slice(0, -4)}AAAA`;
      expect(independentlyVerify(tampered, jwks)).toBe(false);
    },
  );

  it("the secret-derived key verifies independently too", async () => {
    const { auth } = await tokenAuth();
    const tokens = await passwordTokens(auth);
    expect(independentlyVerify(tokens.access_token, await auth.api.jwks())).toBe(true);
  });

  it("rotates by kid: the newest key signs, retired keys verify until removed", async () => {
    const old = await keyPair("EdDSA");
    const next = await keyPair("ES256");
    const before = await tokenAuth({ tokens: { keys: [{ kid: "old", jwk: old.privateJwk }] } });
    const oldToken = (await passwordTokens(before.auth)).access_token;
    const storage = before.auth.storage;
    const clock = before.clock;
    // Deploy 1: a new key first; the old one kept, public part only.
    const rotated = makeAuth({
      storage,
      clock,
      tokens: {
        keys: [
          { kid: "new", alg: "ES256", jwk: next.privateJwk },
          { kid: "old", alg: "EdDSA", jwk: old.publicJwk },
        ],
      },
    });
    const newToken = (await passwordTokens(rotated)).access_token;
    expect(decodeJwt(newToken).header).toMatchObject({ kid: "new", alg: "ES256" });
    expect(await rotated.authenticate(bearer(oldToken))).not.toBeNull();
    expect(await rotated.authenticate(bearer(newToken))).not.toBeNull();
    expect((await rotated.api.jwks()).keys.map((k) => k.kid)).toEqual(["new", "old"]);
    // Deploy 2: the old key removed; its tokens stop verifying.
    const retired = makeAuth({
      storage,
      clock,
      tokens: { keys: [{ kid: "new", alg: "ES256", jwk: next.privateJwk }] },
    });
    expect(await retired.authenticate(bearer(oldToken))).toBeNull();
    expect(await retired.authenticate(bearer(newToken))).not.toBeNull();
  });

  it("a key verifies only its own algorithm: a token cannot point one key's signature at another", async () => {
    const ed = await keyPair("EdDSA");
    const es = await keyPair("ES256");
    const { auth } = await tokenAuth({
      tokens: {
        keys: [
          { kid: "e", alg: "EdDSA", jwk: ed.privateJwk },
          { kid: "s", alg: "ES256", jwk: es.privateJwk },
        ],
      },
    });
    const { header, payload } = decodeJwt((await passwordTokens(auth)).access_token);
    const { SignJWT } = await import("jose");
    const sign = (alg: string, kid: string, key: CryptoKey) =>
      new SignJWT(payload).setProtectedHeader({ ...header, alg, kid }).sign(key);
    expect(await auth.authenticate(bearer(await sign("ES256", "s", es.privateKey)))).not.toBeNull();
    expect(await auth.authenticate(bearer(await sign("ES256", "e", es.privateKey)))).toBeNull();
    expect(await auth.authenticate(bearer(await sign("EdDSA", "s", ed.privateKey)))).toBeNull();
  });

  it("HS256 derives its key from the secret and publishes nothing", async () => {
    const { auth } = await tokenAuth({ tokens: { algorithm: "HS256" } });
    const tokens = await passwordTokens(auth);
    expect(decodeJwt(tokens.access_token).header.alg).toBe("HS256");
    expect(await auth.authenticate(bearer(tokens.access_token))).not.toBeNull();
    expect((await call(auth, "GET", "/auth/jwks")).json).toEqual({ keys: [] });
  });
});

describe("tokens config", () => {
  it.each([
    [{ algorithm: "ES256" }, /ES256 needs tokens.keys/],
    [{ algorithm: "RS256" }, /RS256 needs tokens.keys/],
    [{ algorithm: "PS256" }, /algorithm/],
    [{ keys: [{ kid: "a", secret: "x".repeat(40) }] }, /HS256 only/],
    [{ keys: [{ kid: "a", jwk: { kty: "RSA", n: "x", e: "AQAB" } }] }, /OKP Ed25519/],
    [{ keys: [{ kid: "a", pem: "not a pem" }] }, /PKCS#8/],
    [{ keys: [{ kid: "a" }] }, /exactly one of jwk, pem or secret/],
    [{ accessTokenTTL: 0 }, /accessTokenTTL/],
    [{ refreshReuseGrace: 3600 }, /refreshReuseGrace/],
  ])("rejects %j", (tokens, message) => {
    expect(() => makeAuth({ tokens: tokens as never })).toThrow(ConfigError);
    expect(() => makeAuth({ tokens: tokens as never })).toThrow(message);
  });

  it("rejects a public key first (it must sign) and duplicate kids", async () => {
    const pair = await keyPair("EdDSA");
    expect(() => makeAuth({ tokens: { keys: [{ kid: "a", jwk: pair.publicJwk }] } })).toThrow(
      /first key signs/,
    );
    expect(() => makeAuth({ tokens: { keys: [{ kid: "a", pem: pair.publicPem }] } })).toThrow(
      /first key signs/,
    );
    expect(() =>
      makeAuth({
        tokens: {
          keys: [
            { kid: "a", jwk: pair.privateJwk },
            { kid: "a", jwk: pair.publicJwk },
          ],
        },
      }),
    ).toThrow(/appears twice/);
  });

  it("uses the configured audience and TTL", async () => {
    const { auth } = await tokenAuth({
      tokens: { audience: ["https://api.example.com"], accessTokenTTL: 60 },
    });
    const tokens = await passwordTokens(auth);
    expect(tokens.expires_in).toBe(60);
    const { payload } = decodeJwt(tokens.access_token);
    expect(payload.aud).toEqual(["https://api.example.com"]);
    expect(payload.exp - payload.iat).toBe(60);
    await expect(
      verifyAccessToken(tokens.access_token, {
        jwks: await auth.api.jwks(),
        issuer: auth.config.baseURL,
        audience: "https://api.example.com",
        clock: auth.resolved.clock,
      }),
    ).resolves.toMatchObject({ sub: payload.sub });
  });
});

describe("portcullis/verify in a resource server", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("fetches the JWKS from its URL once, then verifies locally", async () => {
    const { auth, clock } = await tokenAuth({ baseURL: "https://auth.example.com" });
    const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) =>
      auth.handler(new Request(input, init)),
    );
    vi.stubGlobal("fetch", fetch);
    const verifier = createAccessTokenVerifier({
      jwks: "https://auth.example.com/auth/jwks",
      issuer: "https://auth.example.com",
      audience: "https://auth.example.com",
      clock,
    });
    const first = await passwordTokens(auth);
    const second = await passwordTokens(auth);
    const claims = await verifier(first.access_token);
    expect(claims.sub).toBe(decodeJwt(first.access_token).payload.sub);
    await verifier(second.access_token);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("verifies with local public keys, and refuses when the key set is unreachable", async () => {
    const pair = await keyPair("RS256");
    const { auth, clock } = await tokenAuth({
      tokens: { algorithm: "RS256", keys: [{ kid: "r1", pem: pair.privatePem }] },
    });
    const tokens = await passwordTokens(auth);
    for (const publicKey of [pair.publicPem, pair.publicJwk, pair.publicKey]) {
      await expect(
        verifyAccessToken(tokens.access_token, {
          keys: [{ kid: "r1", alg: "RS256", publicKey }],
          issuer: auth.config.baseURL,
          audience: auth.config.baseURL,
          clock,
        }),
      ).resolves.toMatchObject({ sid: decodeJwt(tokens.access_token).payload.sid });
    }
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(
      verifyAccessToken(tokens.access_token, {
        jwks: "https://unreachable.example/auth/jwks",
        issuer: auth.config.baseURL,
        audience: auth.config.baseURL,
        algorithms: ["RS256"],
        clock,
      }),
    ).rejects.toMatchObject({ code: "unavailable" });
  });

  it("checks its options at setup", () => {
    const base = { issuer: "https://a.example", audience: "https://a.example" };
    expect(() => createAccessTokenVerifier(base)).toThrow(/exactly one of jwks or keys/);
    expect(() => createAccessTokenVerifier({ ...base, jwks: { keys: [] }, keys: [] })).toThrow(
      /exactly one/,
    );
    expect(() => createAccessTokenVerifier({ ...base, issuer: "", jwks: { keys: [] } })).toThrow(
      /issuer/,
    );
    expect(() =>
      createAccessTokenVerifier({ ...base, jwks: { keys: [] }, algorithms: [] }),
    ).toThrow(/algorithms/);
  });

  it("refuses a private JWK given as a resource server's public key", async () => {
    const pair = await keyPair("EdDSA");
    expect(() =>
      createAccessTokenVerifier({
        keys: [{ kid: "k", alg: "EdDSA", publicKey: pair.privateJwk }],
        issuer: "https://a.example",
        audience: "https://a.example",
      }),
    ).toThrow(/public JWK/);
  });
});
