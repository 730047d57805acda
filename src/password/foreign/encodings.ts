import { base64Decode } from "../phc.js";

/*
 * The byte encodings other stacks write salts and hashes in. Each decoder is strict (its own
 * alphabet only, canonical padding) and returns null rather than throwing.
 */

const AB64 = /^[A-Za-z0-9./]*$/;
const PADDED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * passlib's "adapted base64" (`passlib.utils.binary.ab64_encode`): standard base64 with `.` for
 * `+`, without padding. Its pbkdf2 hashes use it for salt and checksum.
 */
export function ab64Decode(text: string): Uint8Array | null {
  if (!AB64.test(text)) return null;
  return base64Decode(text.replaceAll(".", "+"));
}

/** Standard base64 with its `=` padding, as Python's `base64.b64encode` writes (Django). */
export function paddedBase64Decode(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !PADDED_BASE64.test(text)) return null;
  return base64Decode(text.replace(/=+$/, ""));
}

/** Lower-case hex, as Python's `bytes.hex()` writes (werkzeug). */
export function hexDecode(text: string): Uint8Array | null {
  if (!HEX.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}
