import { createRemoteJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AuthError,
  ConfigError,
  createAccessTokenVerifier,
  type VerifyAccessTokenOptions,
} from "../../src/verify/index.js";
import { serveOver } from "./served.js";

/*
 * portcullis/verify against an issuer's JWKS URL across a key rotation, over real HTTP with a
 * key set the test changes: a new `kid` verifies as soon as the set serves it, forged `kid`s
 * cannot make the verifier hammer the issuer, and the cache's age is an option.
 */

const ISSUER = "https://auth.example.com";

interface Key {
  kid: string;
  sign(claims?: Record<string, unknown>): Promise<string>;
  jwk: JWK;
}

async function makeKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  return {
    kid,
    jwk,
    sign: (claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sid: "session", client_id: "portcullis", ...claims })
        .setProtectedHeader({ alg: "EdDSA", kid, typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setSubject("user")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(crypto.randomUUID())
        .sign(privateKey);
    },
  };
}

/** An issuer's JWKS endpoint over HTTP, serving whatever `state` says at the moment. */
async function jwksServer() {
  const state: { keys: JWK[]; status: number } = { keys: [], status: 200 };
  const server = await serveOver(
    () => async () =>
      state.status === 200
        ? Response.json({ keys: state.keys })
        : new Response("oops", { status: state.status }),
  );
  servers.push(server);
  return { url: `${server.url}/auth/jwks`, state, fetches: () => server.takeRequests().length };
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function verifier(url: string, options: Partial<VerifyAccessTokenOptions> = {}) {
  return createAccessTokenVerifier({ jwks: url, issuer: ISSUER, audience: ISSUER, ...options });
}

/** The code a verification failed with. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "verified",
    (error: AuthError) => error.code,
  );

const elapsed = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

describe("a key rotation seen from portcullis/verify", () => {
  it("accepts the new kid's tokens as soon as the key set serves it (jose's own set refuses them)", async () => {
    const jwks = await jwksServer();
    const [a, b] = await Promise.all([makeKey("a"), makeKey("b")]);
    jwks.state.keys = [a.jwk];
    const verify = verifier(jwks.url);
    const joseSet = createRemoteJWKSet(new URL(jwks.url));
    await verify(await a.sign());
    await jwtVerify(await a.sign(), joseSet);
    jwks.fetches();

    jwks.state.keys = [b.jwk, a.jwk]; // the issuer rotated: b signs, a still verifies
    const tokenB = await b.sign();
    // The control: jose's remote set, fetched a moment ago, refuses b for 30 seconds.
    await expect(jwtVerify(tokenB, joseSet)).rejects.toThrow(/no applicable key found/);
    await expect(verify(tokenB)).resolves.toMatchObject({ sub: "user" });
    expect(jwks.fetches()).toBe(1);
    // Both keys are cached now: no more fetches.
    await verify(await a.sign());
    await verify(await b.sign());
    expect(jwks.fetches()).toBe(0);
  });

  it("refetches for forged kids at most once per jwksCooldown; a real new kid waits, never fails", async () => {
    const jwks = await jwksServer();
    const [a, b] = await Promise.all([makeKey("a"), makeKey("b")]);
    jwks.state.keys = [a.jwk];
    const verify = verifier(jwks.url, { jwksCooldown: 0.5 });
    await verify(await a.sign());
    jwks.fetches();

    // A burst of tokens with made-up kids (signed by a key the issuer never had).
    const forged = await Promise.all(
      Array.from({ length: 25 }, (_, i) => makeKey(`forged-${i}`).then((key) => key.sign())),
    );
    expect(await Promise.all(forged.map((token) => failure(verify(token))))).toEqual(
      forged.map(() => "token_invalid"),
    );
    // One refetch for the first, the rest within the cooldown: one more, when it ends.
    expect(jwks.fetches()).toBeLessThanOrEqual(2);

    // The cooldown is running (a refetch just happened): tokens of cached kids do not wait...
    expect(await elapsed(async () => verify(await a.sign()))).toBeLessThan(250);
    // ...and the new key's first token waits for the next refetch instead of being refused.
    jwks.state.keys = [b.jwk, a.jwk];
    const waited = await elapsed(async () => {
      await expect(verify(await b.sign())).resolves.toMatchObject({ sub: "user" });
    });
    // It waited out the cooldown (0.5 s) that the forged burst started, and no longer.
    expect(waited).toBeGreaterThan(250);
    expect(waited).toBeLessThan(1500);
    expect(jwks.fetches()).toBe(1);
  });

  it("refuses a kid the set still lacks after the refetch: token_invalid", async () => {
    const jwks = await jwksServer();
    const [a, stranger] = await Promise.all([makeKey("a"), makeKey("stranger")]);
    jwks.state.keys = [a.jwk];
    const verify = verifier(jwks.url, { jwksCooldown: 0.2 });
    await verify(await a.sign());
    expect(await failure(verify(await stranger.sign()))).toBe("token_invalid");
    // Published under another kid, the stranger's key still does not verify its "kid" claim.
    jwks.state.keys = [a.jwk, { ...stranger.jwk, kid: "a2" }];
    expect(await failure(verify(await stranger.sign()))).toBe("token_invalid");
  });

  it("stops accepting a key the issuer no longer publishes after jwksCacheMaxAge", async () => {
    const jwks = await jwksServer();
    const [a, b] = await Promise.all([makeKey("a"), makeKey("b")]);
    jwks.state.keys = [b.jwk, a.jwk];
    const verify = verifier(jwks.url, { jwksCacheMaxAge: 0.3, jwksCooldown: 0 });
    const tokenA = await a.sign();
    await verify(tokenA);
    jwks.state.keys = [b.jwk]; // a retired
    await expect(verify(tokenA)).resolves.toBeDefined(); // still cached
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await failure(verify(tokenA))).toBe("token_invalid");
  });

  it("answers unavailable, not token_invalid, when the key set cannot be had", async () => {
    const jwks = await jwksServer();
    const a = await makeKey("a");
    jwks.state.status = 500;
    expect(await failure(verifier(jwks.url)(await a.sign()))).toBe("unavailable");
    const broken = await jwksServer();
    broken.state.keys = "not a key set" as unknown as JWK[];
    expect(await failure(verifier(broken.url)(await a.sign()))).toBe("unavailable");
  });
});

describe("the options", () => {
  it.each([
    [{ jwksCooldown: -1 }, /jwksCooldown must be a number of seconds/],
    [{ jwksCooldown: Number.NaN }, /jwksCooldown/],
    [{ jwksCacheMaxAge: Number.POSITIVE_INFINITY }, /jwksCacheMaxAge/],
    [{ clockTolerance: -5 }, /clockTolerance/],
  ])("refuses %o", (options, message) => {
    expect(() => verifier("https://auth.example.com/auth/jwks", options)).toThrow(ConfigError);
    expect(() => verifier("https://auth.example.com/auth/jwks", options)).toThrow(message);
  });
});
