import { type CryptoKey, errors, type JWK, type JWTVerifyGetKey } from "jose";
import { ConfigError } from "../config-error.js";
import type { AccessTokenAlgorithm } from "./claims.js";

/** A key a resource server holds itself: a public key, or for HS256 the shared secret. */
export type VerificationKey =
  | {
      kid: string;
      alg: Exclude<AccessTokenAlgorithm, "HS256">;
      /** A public JWK, an SPKI PEM, or an imported key. */
      publicKey: JWK | string | CryptoKey;
    }
  | {
      kid: string;
      alg: "HS256";
      /** At least 32 bytes. */
      secret: string | Uint8Array;
    };

const MIN_HMAC_BYTES = 32;
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];

/**
 * How WebCrypto imports a public key of each algorithm. Imported here rather than with jose's
 * `importSPKI`/`importJWK`, which would add jose's PEM and JWE-algorithm modules to this small
 * entry; jose still checks the key against the token's `alg` (and an RSA key's size) when it
 * verifies.
 */
const IMPORT_PARAMS = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
};

async function importVerificationKey(key: VerificationKey): Promise<CryptoKey | Uint8Array> {
  if (key.alg === "HS256") {
    return typeof key.secret === "string" ? new TextEncoder().encode(key.secret) : key.secret;
  }
  const { publicKey, alg } = key;
  if (typeof publicKey === "string") {
    // The SPKI PEM's base64 body: everything but the armour lines and whitespace.
    const der = Uint8Array.from(atob(publicKey.replace(/-----[^-]+-----|\s/g, "")), (c) =>
      c.charCodeAt(0),
    );
    return crypto.subtle.importKey("spki", der, IMPORT_PARAMS[alg], false, ["verify"]);
  }
  if ("kty" in publicKey) {
    return crypto.subtle.importKey("jwk", publicKey as JWK, IMPORT_PARAMS[alg], false, ["verify"]);
  }
  return publicKey as CryptoKey;
}

/** Throws `TypeError` at setup for a key that could never verify safely. */
function checkKey(key: VerificationKey): void {
  if (typeof key.kid !== "string" || key.kid === "") throw new ConfigError("every key needs a kid");
  if (key.alg === "HS256") {
    const length =
      typeof key.secret === "string"
        ? new TextEncoder().encode(key.secret).length
        : key.secret.length;
    if (length < MIN_HMAC_BYTES) {
      throw new ConfigError(`the HS256 secret of key "${key.kid}" needs at least 32 bytes`);
    }
    return;
  }
  const { publicKey } = key;
  if (typeof publicKey === "string" && !publicKey.includes("-----BEGIN PUBLIC KEY-----")) {
    throw new ConfigError(`key "${key.kid}": publicKey must be an SPKI PEM, a JWK or a CryptoKey`);
  }
  if (typeof publicKey === "object" && "kty" in publicKey) {
    const leaked = PRIVATE_JWK_MEMBERS.filter((member) => member in publicKey);
    if (leaked.length > 0) {
      throw new ConfigError(
        `key "${key.kid}": a resource server needs the public JWK, not a private one`,
      );
    }
  }
}

/**
 * A key selector over keys held locally: the token's `kid` picks the key and its `alg` must be
 * the key's own, so a token can never choose how a key is used (no HS256 with a public key).
 */
export function localKeyResolver(keys: readonly VerificationKey[]): JWTVerifyGetKey {
  const byKid = new Map<string, { alg: string; key: Promise<CryptoKey | Uint8Array> }>();
  for (const key of keys) {
    checkKey(key);
    if (byKid.has(key.kid)) throw new ConfigError(`kid "${key.kid}" appears twice`);
    const imported = importVerificationKey(key);
    // A key that fails to import fails the tokens naming it, not the process.
    imported.catch(() => {});
    byKid.set(key.kid, { alg: key.alg, key: imported });
  }
  return async (header) => {
    const entry = header.kid === undefined ? undefined : byKid.get(header.kid);
    if (!entry || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return entry.key;
  };
}
