import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base64urlEncode } from "../crypto/base64url.js";
import { formatOpaqueToken, type OpaqueToken } from "../util/opaque-token.js";

/*
 * A refresh token is an opaque `familyId.secret` token (util/opaque-token, the session token's
 * shape): the id is the family's, finding its row; the secret proves possession and changes at
 * every rotation. Only the secret's SHA-256 is stored.
 */

const encoder = new TextEncoder();
const successorKeys = new Map<string, Uint8Array>();

function successorKey(serverSecret: string): Uint8Array {
  let key = successorKeys.get(serverSecret);
  if (!key) {
    const info = encoder.encode("portcullis/refresh-token-successor");
    key = hkdf(sha256, encoder.encode(serverSecret), encoder.encode("portcullis"), info, 32);
    successorKeys.set(serverSecret, key);
  }
  return key;
}

/**
 * The secret that replaces `token`'s at rotation: HMAC of the presented secret under a key
 * derived from the server secret. Deterministic on purpose: a request racing the rotation with
 * the same token (within the grace window) is handed the very same successor instead of a
 * second, independent one, and the successor's plain text never needs to be stored. Only a
 * holder of the presented secret and of the server secret can compute it; it carries the
 * presented secret's 256 bits.
 */
export function successorSecret(serverSecret: string, token: OpaqueToken): string {
  // The MAC covers the token exactly as presented on the wire.
  const message = encoder.encode(formatOpaqueToken(token));
  return base64urlEncode(hmac(sha256, successorKey(serverSecret), message));
}
