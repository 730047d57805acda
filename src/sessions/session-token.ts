import { randomId } from "../crypto/ids.js";
import { type RandomSource, randomToken } from "../crypto/random.js";

/**
 * A session token is `id.secret`: the id finds the row, the secret proves possession. Only the
 * secret's SHA-256 is stored, so a leaked database holds no usable token.
 */
export interface SessionToken {
  id: string;
  secret: string;
}

const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function newSessionToken(random: RandomSource): SessionToken {
  return { id: randomId(random), secret: randomToken(random) };
}

export function formatSessionToken(token: SessionToken): string {
  return `${token.id}.${token.secret}`;
}

/** Null for anything that is not exactly the shape we issue. */
export function parseSessionToken(value: string): SessionToken | null {
  const match = TOKEN.exec(value);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}
