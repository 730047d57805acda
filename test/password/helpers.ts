/** Hex with optional whitespace, as RFCs print their vectors. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** A RandomSource that fills with a fixed byte, so a hash's salt is predictable. */
export function fixedRandom(byte: number) {
  return { fill: (bytes: Uint8Array) => void bytes.fill(byte) };
}

/**
 * Argon2id reference vectors from the Argon2 reference implementation's own test suite
 * (P-H-C/phc-winner-argon2, src/test.c), password "password", salt "somesalt". Copied from there,
 * never produced by the code under test.
 */
export const REFERENCE_ARGON2ID = {
  m256p1: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  m256p2: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
  m65536: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
  /** Argon2 version 0x10, which the reference writes as `v=16`. */
  v16m256: "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$2gcOV25Q8vOKPIl8vdxsf7QCjocJcf+erntOGHkpXm4",
} as const;
