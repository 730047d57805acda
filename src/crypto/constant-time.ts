const encoder = new TextEncoder();

/**
 * Compares two strings in time that depends only on their lengths, so a mismatch's position
 * leaks nothing. Lengths are not secret here: every value compared is a fixed-size hash.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === "string" ? encoder.encode(a) : a;
  const right = typeof b === "string" ? encoder.encode(b) : b;
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= (left[i] as number) ^ (right[i] as number);
  return difference === 0;
}
