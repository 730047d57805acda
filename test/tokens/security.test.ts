import { createHmac } from "node:crypto";
import { type CryptoKey, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  createAccessTokenVerifier,
  verifyAccessToken,
} from "../../src/verify/index.js";
import { makeAuth, registered, sessionTokenFrom } from "../helpers.js";
import {
  type Auth,
  bearer,
  decodeJwt,
  keyPair,
  passwordTokens,
  refresh,
  tokenAuth,
} from "./helpers.js";

/*
 * Each test attacks one property of access-token verification, against all three verifiers:
 * auth.authenticate (Bearer), auth.api.verifyAccessToken and portcullis/verify with the JWKS.
 */

let signing: Awaited<ReturnType<typeof keyPair>>;
beforeAll(async () => {
  signing = await keyPair("EdDSA");
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function setup() {
  const ctx = await tokenAuth({ tokens: { keys: [{ kid: "k1", jwk: signing.privateJwk }] } });
  const tokens = await passwordTokens(ctx.auth);
  const { header, payload } = decodeJwt(tokens.access_token);
  return { ...ctx, tokens, header, payload };
}

/** Signs `payload` with the instance's real private key and whatever header the attacker likes. */
function signWithRealKey(header: Record<string, unknown>, payload: Record<string, unknown>) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "EdDSA", ...header } as { alg: string })
    .sign(signing.privateKey as CryptoKey);
}

function hmacToken(header: Record<string, unknown>, payload: unknown, key: Buffer | string) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

/** The token fails in every verifier, never with anything but a token error. */
async function expectRejected(auth: Auth, token: string) {
  expect(await auth.authenticate(bearer(token))).toBeNull();
  await expect(auth.api.verifyAccessToken(token)).rejects.toMatchObject({
    code: expect.stringMatching(/^token_(invalid|expired)$/),
  });
  await expect(
    verifyAccessToken(token, {
      jwks: await auth.api.jwks(),
      issuer: auth.config.baseURL,
      audience: auth.config.baseURL,
      clock: auth.resolved.clock,
    }),
  ).rejects.toMatchObject({ code: expect.stringMatching(/^token_(invalid|expired)$/) });
}

async function expectAccepted(auth: Auth, token: string) {
  expect(await auth.authenticate(bearer(token))).not.toBeNull();
  await expect(auth.api.verifyAccessToken(token)).resolves.toBeTruthy();
}

describe("access-token verification resists", () => {
  it("a control: a token re-signed with the real key and the real header passes", async () => {
    const { auth, header, payload } = await setup();
    await expectAccepted(auth, await signWithRealKey(header, payload));
  });

  it("alg: none", async () => {
    const { auth, header, payload } = await setup();
    for (const alg of ["none", "None", "NONE"]) {
      await expectRejected(auth, `${b64({ ...header, alg })}.${b64(payload)}.`);
      await expectRejected(auth, `${b64({ ...header, alg })}.${b64(payload)}`);
    }
  });

  it("HS256 signed with the public key (algorithm confusion)", async () => {
    const { auth, header, payload } = await setup();
    const jwks = await auth.api.jwks();
    const publicJwk = jwks.keys[0] as { x: string };
    for (const key of [
      JSON.stringify(publicJwk),
      signing.publicPem,
      Buffer.from(publicJwk.x, "base64url"),
    ]) {
      await expectRejected(auth, hmacToken({ ...header, alg: "HS256" }, payload, key));
    }
    // A resource server that lists HS256 next to a key set is stopped at setup...
    expect(() =>
      createAccessTokenVerifier({
        jwks,
        issuer: auth.config.baseURL,
        audience: auth.config.baseURL,
        algorithms: ["EdDSA", "HS256"],
      }),
    ).toThrow(ConfigError);
    // ...and one holding the public key itself never lets a token pick HS256 for it.
    const local = createAccessTokenVerifier({
      keys: [{ kid: "k1", alg: "EdDSA", publicKey: signing.publicJwk }],
      issuer: auth.config.baseURL,
      audience: auth.config.baseURL,
      algorithms: ["EdDSA", "HS256"],
      clock: auth.resolved.clock,
    });
    const confused = hmacToken({ ...header, alg: "HS256" }, payload, signing.publicPem);
    await expect(local(confused)).rejects.toMatchObject({ code: "token_invalid" });
  });

  it("an empty HMAC key", async () => {
    const { auth, clock, user } = await tokenAuth({
      tokens: { algorithm: "HS256", keys: [{ kid: "h1", secret: "s".repeat(32) }] },
    });
    const tokens = await passwordTokens(auth);
    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header.alg).toBe("HS256");
    await expectAccepted(auth, tokens.access_token);
    const forged = hmacToken(header, { ...payload, sub: user.id }, Buffer.alloc(0));
    expect(await auth.authenticate(bearer(forged))).toBeNull();
    await expect(auth.api.verifyAccessToken(forged)).rejects.toMatchObject({
      code: "token_invalid",
    });
    // An empty (or short) HMAC key is refused wherever one could be configured.
    expect(() =>
      makeAuth({ clock, tokens: { algorithm: "HS256", keys: [{ kid: "h1", secret: "" }] } }),
    ).toThrow(/32 bytes/);
    expect(() =>
      makeAuth({
        tokens: { algorithm: "HS256", keys: [{ kid: "h1", jwk: { kty: "oct", k: "" } }] },
      }),
    ).toThrow(/32 bytes/);
    expect(() =>
      createAccessTokenVerifier({
        keys: [{ kid: "h1", alg: "HS256", secret: "" }],
        issuer: "x",
        audience: "y",
      }),
    ).toThrow(/32 bytes/);
  });

  it("an algorithm outside the allowlist, even with the right key", async () => {
    const { auth, header, payload } = await setup();
    // "Ed25519" is a valid JOSE name for the same key and signature, but not one we allow.
    await expectRejected(auth, await signWithRealKey({ ...header, alg: "Ed25519" }, payload));
    // A resource server that only allows ES256 refuses our EdDSA tokens.
    await expect(
      verifyAccessToken(await signWithRealKey(header, payload), {
        jwks: await auth.api.jwks(),
        issuer: auth.config.baseURL,
        audience: auth.config.baseURL,
        algorithms: ["ES256"],
        clock: auth.resolved.clock,
      }),
    ).rejects.toMatchObject({ code: "token_invalid" });
  });

  it("an unknown, missing or injected kid", async () => {
    const { auth, header, payload } = await setup();
    for (const kid of ["k2", "", "../../../../dev/null", "' OR '1'='1", "k1\u0000", 1, null]) {
      await expectRejected(auth, await signWithRealKey({ ...header, kid }, payload));
    }
    const { kid: _kid, ...withoutKid } = header;
    await expectRejected(auth, await signWithRealKey(withoutKid, payload));
  });

  describe("key material carried by the token itself", () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it("ignores jku, x5u and an embedded jwk", async () => {
      const { auth, header, payload } = await setup();
      const fetch = vi.fn(async () => new Response(JSON.stringify({ keys: [] })));
      vi.stubGlobal("fetch", fetch);
      const attacker = await keyPair("EdDSA");
      const attackerJwk = { ...attacker.publicJwk, kid: "k1", alg: "EdDSA" };
      const token = await new SignJWT(payload)
        .setProtectedHeader({
          ...header,
          alg: "EdDSA",
          kid: "k1",
          jwk: attackerJwk,
          jku: "https://attacker.example/jwks.json",
          x5u: "https://attacker.example/cert.pem",
        })
        .sign(attacker.privateKey as CryptoKey);
      await expectRejected(auth, token);
      expect(fetch).not.toHaveBeenCalled();
    });
  });

  it("expired tokens, with the configured clock tolerance", async () => {
    const { auth, clock, tokens } = await tokenAuth({ tokens: { clockTolerance: 10 } }).then(
      async (ctx) => ({ ...ctx, tokens: await passwordTokens(ctx.auth) }),
    );
    clock.advance(900 + 9); // past exp, within the tolerance: still accepted
    await expectAccepted(auth, tokens.access_token);
    clock.advance(1);
    expect(await auth.authenticate(bearer(tokens.access_token))).toBeNull();
    await expect(auth.api.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      code: "token_expired",
    });
  });

  it("not-yet-valid tokens (nbf or iat in the future), with the clock tolerance", async () => {
    const { auth, header, payload } = await setup();
    const tolerance = auth.resolved.tokens.clockTolerance;
    await expectRejected(
      auth,
      await signWithRealKey(header, { ...payload, nbf: payload.iat + tolerance + 1 }),
    );
    await expectAccepted(
      auth,
      await signWithRealKey(header, { ...payload, nbf: payload.iat + tolerance }),
    );
    await expectRejected(
      auth,
      await signWithRealKey(header, { ...payload, iat: payload.iat + tolerance + 60 }),
    );
  });

  it("a wrong iss, aud or typ", async () => {
    const { auth, header, payload } = await setup();
    await expectRejected(
      auth,
      await signWithRealKey(header, { ...payload, iss: "https://evil.example" }),
    );
    await expectRejected(
      auth,
      await signWithRealKey(header, { ...payload, aud: "https://other.example" }),
    );
    await expectRejected(auth, await signWithRealKey(header, { ...payload, aud: [] }));
    for (const typ of ["JWT", "refresh+jwt", "", undefined]) {
      await expectRejected(auth, await signWithRealKey({ ...header, typ }, payload));
    }
  });

  it("missing claims (sid, jti, sub)", async () => {
    const { auth, header, payload } = await setup();
    for (const claim of ["sid", "jti", "sub", "exp", "iat"]) {
      const { [claim]: _dropped, ...rest } = payload;
      await expectRejected(auth, await signWithRealKey(header, rest));
    }
  });

  it("a tampered payload or signature", async () => {
    const { auth, tokens } = await setup();
    const bob = await registered(auth, "bob@example.com");
    const [h, p, s] = tokens.access_token.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    const swapped = b64({ ...payload, sub: bob.user.id });
    await expectRejected(auth, `${h}.${swapped}.${s}`);
    const flipped = s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11);
    await expectRejected(auth, `${h}.${p}.${flipped}`);
    await expectRejected(auth, `${h}.${p}.`);
    await expectRejected(auth, `${h}.${p}.${s}x`);
  });

  it("a token from an instance with another secret", async () => {
    const ours = await tokenAuth();
    const theirs = await tokenAuth({ secret: "another-secret-that-is-32-bytes-long!!" });
    const foreign = await passwordTokens(theirs.auth);
    await expectRejected(ours.auth, foreign.access_token);
  });

  it("a session token or refresh token presented as an access token", async () => {
    const { auth, tokens } = await setup();
    const reg = await registered(auth, "carol@example.com");
    const sessionToken = sessionTokenFrom(reg.response);
    for (const token of [sessionToken, tokens.refresh_token]) {
      await expect(auth.api.verifyAccessToken(token)).rejects.toMatchObject({
        code: "token_invalid",
      });
      await expect(
        verifyAccessToken(token, {
          jwks: await auth.api.jwks(),
          issuer: auth.config.baseURL,
          audience: auth.config.baseURL,
        }),
      ).rejects.toMatchObject({ code: "token_invalid" });
    }
    // As Bearer, a refresh token is no credential at all.
    expect(await auth.authenticate(bearer(tokens.refresh_token))).toBeNull();
  });

  it("an access token or session token presented as a refresh token", async () => {
    const { auth, tokens } = await setup();
    const reg = await registered(auth, "carol@example.com");
    const sessionToken = sessionTokenFrom(reg.response);
    for (const token of [tokens.access_token, sessionToken]) {
      const result = await refresh(auth, token);
      expect(result.status).toBe(400);
      expect(result.json?.error).toBe("invalid_grant");
    }
    // Neither attempt harmed the session or the family.
    expect(await auth.authenticate(bearer(sessionToken))).not.toBeNull();
    expect((await refresh(auth, tokens.refresh_token)).status).toBe(200);
  });
});
