import { base64urlEncode } from "./base64url.js";

/** Where randomness comes from; injectable so tests can make it deterministic. */
export interface RandomSource {
  fill(bytes: Uint8Array): void;
}

export const webCryptoRandom: RandomSource = {
  fill(bytes) {
    crypto.getRandomValues(bytes);
  },
};

export function randomBytes(length: number, random: RandomSource = webCryptoRandom): Uint8Array {
  const bytes = new Uint8Array(length);
  random.fill(bytes);
  return bytes;
}

/** A 256-bit secret as 43 base64url characters: the entropy every bearer secret we hand out has. */
export function randomToken(random: RandomSource = webCryptoRandom, byteLength = 32): string {
  return base64urlEncode(randomBytes(byteLength, random));
}

/** A uniformly random decimal code of `digits` digits (rejection sampling, so no modulo bias). */
export function randomDigits(digits: number, random: RandomSource = webCryptoRandom): string {
  const limit = 10 ** digits;
  const ceiling = Math.floor(0x1_0000_0000 / limit) * limit;
  const word = new Uint32Array(1);
  const bytes = new Uint8Array(word.buffer);
  for (;;) {
    random.fill(bytes);
    const value = word[0] as number;
    if (value < ceiling) return String(value % limit).padStart(digits, "0");
  }
}
