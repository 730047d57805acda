import { base64urlEncode } from "./base64url.js";
import { type RandomSource, randomBytes } from "./random.js";

/** A 128-bit random identifier (22 base64url characters): unguessable, not secret. */
export function randomId(random: RandomSource): string {
  return base64urlEncode(randomBytes(16, random));
}
