import { base64urlDecode, base64urlEncode } from "../crypto/base64url.js";
import { type RandomSource, randomBytes } from "../crypto/random.js";

/*
 * Queued messages carry bearer secrets (sign-in and reset links), and secrets never rest in
 * plain text: the outbox stores each message sealed with AES-256-GCM under a key derived from
 * `secret` (HKDF-SHA256). A restart with the same secret reads them back; without it they are
 * unreadable, which is the point.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const VERSION = "v1";

export interface PayloadCipher {
  seal(plaintext: string): Promise<string>;
  /** The plaintext, or null when the payload is malformed or was sealed under another key. */
  open(payload: string): Promise<string | null>;
}

/**
 * `purpose` names what is sealed (the HKDF `info`): each purpose gets its own key, so a payload
 * sealed for one use never opens as another. The default is the outbox's, as it always was.
 */
export function payloadCipher(
  secret: string,
  random: RandomSource,
  purpose = "portcullis outbox payload v1",
): PayloadCipher {
  let key: Promise<CryptoKey> | undefined;
  const getKey = () => {
    key ??= crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(0),
            info: encoder.encode(purpose),
          },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    return key;
  };

  return {
    async seal(plaintext) {
      const iv = new Uint8Array(randomBytes(12, random));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv },
        await getKey(),
        encoder.encode(plaintext),
      );
      return `${VERSION}.${base64urlEncode(iv)}.${base64urlEncode(new Uint8Array(sealed))}`;
    },
    async open(payload) {
      const [version, ivText, sealedText] = payload.split(".");
      if (version !== VERSION || !ivText || !sealedText) return null;
      const ivBytes = base64urlDecode(ivText);
      const sealedBytes = base64urlDecode(sealedText);
      if (!ivBytes || !sealedBytes || ivBytes.length !== 12) return null;
      // Copies onto plain ArrayBuffers, the only buffers WebCrypto's types accept.
      const iv = new Uint8Array(ivBytes);
      const sealed = new Uint8Array(sealedBytes);
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await getKey(), sealed);
        return decoder.decode(plain);
      } catch {
        return null;
      }
    },
  };
}
