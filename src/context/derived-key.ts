import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { calculateJwkThumbprint, type JWK } from "jose";
import { base64urlEncode } from "../crypto/base64url.js";

/*
 * With only `secret` configured, the signing key is derived from it: every instance sharing the
 * secret derives the same key, so several instances agree with nothing more to configure.
 * HKDF-SHA256 with a purpose-specific `info`, so the key is independent of every other use of
 * the secret (and changing the secret changes the key: tokens signed before stop verifying).
 */

const encoder = new TextEncoder();

function deriveBytes(secret: string, purpose: string, length: number): Uint8Array<ArrayBuffer> {
  const bytes = hkdf(
    sha256,
    encoder.encode(secret),
    encoder.encode("portcullis"),
    encoder.encode(`portcullis/access-token-key/${purpose}`),
    length,
  );
  return new Uint8Array(bytes);
}

/** PKCS#8 `PrivateKeyInfo` for an Ed25519 key (RFC 8410): this prefix, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/**
 * The Ed25519 key derived from the secret, as a private JWK with a `kid` that is its RFC 7638
 * thumbprint. WebCrypto computes the public key from the seed; no curve code of our own.
 */
export async function deriveEd25519Key(secret: string): Promise<{ kid: string; jwk: JWK }> {
  const seed = deriveBytes(secret, "Ed25519", 32);
  const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + seed.length);
  pkcs8.set(ED25519_PKCS8_PREFIX);
  pkcs8.set(seed, ED25519_PKCS8_PREFIX.length);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const { kty, crv, x, d } = (await crypto.subtle.exportKey("jwk", key)) as JWK;
  const jwk: JWK = { kty, crv, x, d };
  return { kid: await calculateJwkThumbprint({ kty, crv, x }), jwk };
}

/** The HS256 key derived from the secret; its kid is a hash of the key, which reveals nothing. */
export function deriveHmacKey(secret: string): { kid: string; key: Uint8Array } {
  const key = deriveBytes(secret, "HS256", 32);
  return { kid: base64urlEncode(sha256(key)).slice(0, 16), key };
}
