/*
 * Standard Webhooks signatures (standardwebhooks.com, "Signature scheme"): an endpoint's secret is
 * `whsec_` followed by the base64 of random bytes; a delivery is signed `v1,` + the base64
 * HMAC-SHA256, keyed by those bytes, of `${webhookId}.${timestamp}.${body}`, the timestamp in
 * whole seconds since the epoch. Receivers verify with any Standard Webhooks library.
 */

export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** Fewer random bytes than this make an HMAC key we refuse at startup (the spec suggests 24-64). */
export const MIN_WEBHOOK_SECRET_BYTES = 24;

// Standard base64 (not base64url: receivers' libraries decode the standard alphabet), padding
// optional but, when present, only at the end of a whole quantum.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const encoder = new TextEncoder();

/** The key bytes of a `whsec_` secret, or null when it is not `whsec_` + base64. */
export function decodeWebhookSecret(secret: string): Uint8Array | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return null;
  const text = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(text) || text.length % 4 === 1) return null;
  if (text.includes("=") && text.length % 4 !== 0) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The `webhook-signature` header of one attempt: `v1,<base64 HMAC-SHA256>` over
 * `${webhookId}.${timestamp}.${body}`, `timestamp` in seconds (the `webhook-timestamp` header).
 */
export async function signWebhook(
  key: Uint8Array,
  webhookId: string,
  timestamp: number,
  body: string,
): Promise<string> {
  // A copy onto a plain ArrayBuffer, the only buffer WebCrypto's types accept.
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    hmacKey,
    encoder.encode(`${webhookId}.${timestamp}.${body}`),
  );
  return `v1,${base64(new Uint8Array(mac))}`;
}
