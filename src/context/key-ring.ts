import {
  type CryptoKey,
  errors,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import type { ResolvedConfig } from "../config/config.js";
import { readPemKey } from "../config/pem-key.js";
import type { TokenAlgorithm, TokenKeyOption } from "../config/token-options.js";
import { ConfigError } from "../config-error.js";
import { base64urlDecode } from "../crypto/base64url.js";
import { deriveEd25519Key, deriveHmacKey } from "./derived-key.js";

/** One key of the ring, imported. */
export interface RingKey {
  kid: string;
  alg: TokenAlgorithm;
  /** A public CryptoKey, or the HMAC secret. */
  verifyKey: CryptoKey | Uint8Array;
  /** Null for a retired key configured without its private part: it only verifies. */
  signKey: CryptoKey | Uint8Array | null;
  /** As published in the JWKS; null for HMAC keys, which are secret and never published. */
  publicJwk: JWK | null;
}

export interface KeyRing {
  /** The newest key: it signs every new token. */
  signer: RingKey & { signKey: CryptoKey | Uint8Array };
  keys: ReadonlyMap<string, RingKey>;
  /** The public keys, for `GET /auth/jwks`. */
  jwks: JSONWebKeySet;
  /** Selects a key by the token's `kid`, and only for the key's own algorithm. */
  getKey: JWTVerifyGetKey;
}

const PUBLIC_MEMBERS: Record<string, string[]> = {
  OKP: ["kty", "crv", "x"],
  EC: ["kty", "crv", "x", "y"],
  RSA: ["kty", "n", "e"],
};

function publicPart(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""] ?? [];
  return Object.fromEntries(members.map((m) => [m, (jwk as Record<string, unknown>)[m]])) as JWK;
}

async function asymmetricKey(kid: string, alg: TokenAlgorithm, jwk: JWK, isPrivate: boolean) {
  const publicJwk = publicPart(jwk);
  const verifyKey = (await importJWK(publicJwk, alg)) as CryptoKey;
  const signKey = isPrivate ? ((await importJWK(jwk, alg)) as CryptoKey) : null;
  return { kid, alg, verifyKey, signKey, publicJwk: { ...publicJwk, kid, alg, use: "sig" } };
}

async function importRingKey(option: TokenKeyOption, fallback: TokenAlgorithm): Promise<RingKey> {
  const alg = option.alg ?? fallback;
  const { kid } = option;
  if (option.secret !== undefined) {
    const secret = new TextEncoder().encode(option.secret);
    return { kid, alg, verifyKey: secret, signKey: secret, publicJwk: null };
  }
  if (option.jwk !== undefined) {
    const jwk = option.jwk as JWK;
    if (alg === "HS256") {
      const secret = base64urlDecode(jwk.k ?? "");
      if (!secret || secret.length < 32)
        throw new ConfigError({
          option: "tokens.keys",
          message: `tokens.keys: key "${kid}": k is not a 32-byte key`,
        });
      return { kid, alg, verifyKey: secret, signKey: secret, publicJwk: null };
    }
    return asymmetricKey(kid, alg, jwk, typeof jwk.d === "string");
  }
  // SEC1 and PKCS#1 PEMs (openssl's defaults) become PKCS#8 or SPKI first; the config check
  // has already refused any PEM this cannot read.
  const { kind, pem } = readPemKey(option.pem ?? "");
  const isPrivate = kind === "private";
  const imported = isPrivate
    ? await importPKCS8(pem, alg, { extractable: true })
    : await importSPKI(pem, alg, { extractable: true });
  return asymmetricKey(kid, alg, await exportJWK(imported), isPrivate);
}

/**
 * Imports the signing and verification keys of `tokens` (or derives them from `secret`). Key
 * import is async, so `buildContext` starts it once and every user awaits the same promise.
 */
export async function importKeyRing(config: ResolvedConfig): Promise<KeyRing> {
  const { algorithm, keys: options } = config.tokens;
  let keys: RingKey[];
  if (options.length > 0) {
    keys = await Promise.all(options.map((option) => importRingKey(option, algorithm)));
  } else if (algorithm === "HS256") {
    const { kid, key } = deriveHmacKey(config.secret);
    keys = [{ kid, alg: "HS256", verifyKey: key, signKey: key, publicJwk: null }];
  } else {
    // The config schema allows no keys only for EdDSA and HS256.
    const { kid, jwk } = await deriveEd25519Key(config.secret);
    keys = [await asymmetricKey(kid, "EdDSA", jwk, true)];
  }
  const signer = keys[0];
  if (!signer?.signKey)
    throw new ConfigError({
      option: "tokens.keys",
      message: "tokens.keys: the first key must be a private key (it signs)",
    });
  const byKid = new Map(keys.map((key) => [key.kid, key]));
  return {
    signer: signer as KeyRing["signer"],
    keys: byKid,
    jwks: { keys: keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])) },
    async getKey(header) {
      const key = header.kid === undefined ? undefined : byKid.get(header.kid);
      if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
      return key.verifyKey;
    },
  };
}
