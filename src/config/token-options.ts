import * as z from "zod";
import { type PemKey, PemKeyError, type PemKeyType, readPemKey } from "./pem-key.js";

/** Signature algorithms an access token may use. HS256 only when chosen explicitly. */
export const TOKEN_ALGORITHMS = ["EdDSA", "ES256", "RS256", "HS256"] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

const DAY = 24 * 60 * 60;
const MIN_HMAC_BYTES = 32;

/** The JWK key type (and curve) each algorithm needs: a key never signs for another algorithm. */
const KEY_TYPE: Record<TokenAlgorithm, { kty: string; crv?: string }> = {
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  ES256: { kty: "EC", crv: "P-256" },
  RS256: { kty: "RSA" },
  HS256: { kty: "oct" },
};

/** The key a PEM must hold for each asymmetric algorithm (jose checks the same at import). */
const PEM_KEY_TYPE: Record<Exclude<TokenAlgorithm, "HS256">, PemKeyType> = {
  EdDSA: "an Ed25519 key",
  ES256: "an EC P-256 key",
  RS256: "an RSA key",
};

/**
 * One key of the ring, in exactly one of three forms: a JWK (private, or public for a key that
 * only verifies), a PEM (a private key as PKCS#8, SEC1 or PKCS#1, or a public key as SPKI or
 * PKCS#1: `config/pem-key.ts`), or for HS256 a shared secret.
 */
const tokenKeySchema = z
  .strictObject({
    kid: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, "kid must be printable ASCII without spaces"),
    /** Defaults to `tokens.algorithm`. */
    alg: z.enum(TOKEN_ALGORITHMS).optional(),
    jwk: z.record(z.string(), z.unknown()).optional(),
    pem: z.string().optional(),
    secret: z.string().optional(),
  })
  .refine(
    (key) => [key.jwk, key.pem, key.secret].filter((form) => form !== undefined).length === 1,
    { error: "each key needs exactly one of jwk, pem or secret" },
  );

export type TokenKeyOption = z.output<typeof tokenKeySchema>;

export const tokensSchema = z
  .strictObject({
    algorithm: z.enum(TOKEN_ALGORITHMS).default("EdDSA"),
    /**
     * The key ring, newest first: the first key signs; the others only verify (retired keys kept
     * until every token they signed has expired). Empty: a key derived from `secret` (EdDSA, HS256).
     */
    keys: z.array(tokenKeySchema).default([]),
    /** Seconds an access token lives. */
    accessTokenTTL: z
      .number()
      .int()
      .positive()
      .max(DAY)
      .default(15 * 60),
    /** Absolute lifetime of a refresh-token family in seconds: rotation never extends it. */
    refreshTokenTTL: z
      .number()
      .int()
      .positive()
      .default(30 * DAY),
    /**
     * The `client_id` claim of access tokens (RFC 9068 §2.2). Clients are not registered, so
     * this one value names every client of the token endpoint, whatever `client_id` it sends.
     */
    clientId: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\x20-\x7e]+$/, "clientId must be printable ASCII")
      .default("portcullis"),
    /** The `aud` of access tokens; defaults to baseURL. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
    clockTolerance: z.number().int().min(0).max(300).default(5),
    /**
     * Seconds after a rotation during which the replaced refresh token gets the same successor
     * again (two requests racing with one token); 0 makes every second use a reuse.
     */
    refreshReuseGrace: z.number().int().min(0).max(60).default(10),
  })
  .prefault({})
  .check((ctx) => {
    const options = ctx.value;
    const issue = (message: string, path: (string | number)[]) =>
      ctx.issues.push({ code: "custom", input: options, message, path });
    const kids = new Set<string>();
    options.keys.forEach((key, index) => {
      const path = ["keys", index];
      if (kids.has(key.kid)) issue(`kid "${key.kid}" appears twice`, path);
      kids.add(key.kid);
      const alg = key.alg ?? options.algorithm;
      const problem = keyProblem(key, alg, index === 0);
      if (problem) issue(problem, path);
    });
    if (
      options.keys.length === 0 &&
      (options.algorithm === "ES256" || options.algorithm === "RS256")
    ) {
      issue(
        `${options.algorithm} needs tokens.keys: only EdDSA and HS256 keys derive from secret`,
        ["keys"],
      );
    }
  });

/** Why a configured key cannot be used (wrong type for its algorithm, too short...), or null. */
function keyProblem(key: TokenKeyOption, alg: TokenAlgorithm, signs: boolean): string | null {
  const expected = KEY_TYPE[alg];
  if (key.secret !== undefined) {
    if (alg !== "HS256") return `a secret is a key for HS256 only, not ${alg}`;
    const bytes = new TextEncoder().encode(key.secret).length;
    return bytes < MIN_HMAC_BYTES ? `an HS256 secret needs at least 32 bytes (got ${bytes})` : null;
  }
  if (key.jwk !== undefined) {
    const jwk = key.jwk as Record<string, unknown>;
    if (jwk.kty !== expected.kty || (expected.crv !== undefined && jwk.crv !== expected.crv)) {
      return `${alg} needs a ${expected.kty}${expected.crv ? ` ${expected.crv}` : ""} JWK`;
    }
    if (alg === "HS256") {
      const length = typeof jwk.k === "string" ? Math.floor((jwk.k.length * 3) / 4) : 0;
      return length < MIN_HMAC_BYTES ? "an HS256 JWK needs a k of at least 32 bytes" : null;
    }
    if (signs && typeof jwk.d !== "string") return "the first key signs, so it needs a private JWK";
    return null;
  }
  if (alg === "HS256") return "HS256 keys are a secret or an oct JWK, not a PEM";
  let pem: PemKey;
  try {
    pem = readPemKey(key.pem ?? "");
  } catch (error) {
    if (error instanceof PemKeyError) return error.message;
    throw error;
  }
  const wanted = PEM_KEY_TYPE[alg];
  if (pem.type !== wanted) return `${alg} needs ${wanted}, and this pem holds ${pem.type}`;
  if (signs && pem.kind !== "private") return "the first key signs, so it needs a private key";
  return null;
}
