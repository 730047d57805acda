import type { AuthContext } from "../context/context.js";
import { base64urlDecode, base64urlEncode } from "../crypto/base64url.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { VerificationRecord } from "../storage/ports.js";

/*
 * A challenge is 256 random bits, kept in the verifications port under the SHA-256 of its
 * base64url form and consumed atomically by the verify step. The purpose binds it to the kind of
 * ceremony that asked for it: a registration challenge is never found by a login, nor the reverse.
 * The browser echoes the challenge inside the signed clientDataJSON, so the challenge itself is
 * the ceremony's handle: clients send back plain WebAuthn JSON, with nothing to keep beside it.
 */

export type Ceremony = "passkey-registration" | "passkey-login";

/** How long a ceremony may take, from options to verify. */
export const CHALLENGE_SECONDS = 5 * 60;

export interface IssuedChallenge {
  /** What the WebAuthn options carry: raw bytes, for @simplewebauthn/server. */
  bytes: Uint8Array<ArrayBuffer>;
  /** The same, base64url: what the browser will echo back. */
  text: string;
}

export async function issueChallenge(
  ctx: AuthContext,
  ceremony: Ceremony,
  binding: { userId: string | null; identifier: string; data?: Record<string, unknown> },
): Promise<IssuedChallenge> {
  const bytes = new Uint8Array(32);
  ctx.config.random.fill(bytes);
  const text = base64urlEncode(bytes);
  const now = ctx.now();
  await ctx.storage.verifications.create({
    id: sha256Base64url(text),
    purpose: ceremony,
    userId: binding.userId,
    identifier: binding.identifier,
    data: binding.data === undefined ? null : JSON.stringify(binding.data),
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_SECONDS * 1000),
  });
  return { bytes, text };
}

/** The challenge a response's clientDataJSON carries, or null when it carries none. */
export function challengeOf(clientDataJSON: string): string | null {
  const bytes = base64urlDecode(clientDataJSON);
  if (!bytes) return null;
  try {
    const clientData = JSON.parse(new TextDecoder().decode(bytes)) as { challenge?: unknown };
    return typeof clientData.challenge === "string" ? clientData.challenge : null;
  } catch {
    return null;
  }
}

/**
 * Consumes the challenge a response answers, before anything else is checked: whatever the
 * outcome, that challenge can never be answered again.
 */
export async function consumeChallenge(
  ctx: AuthContext,
  ceremony: Ceremony,
  clientDataJSON: string,
): Promise<{ challenge: string; record: VerificationRecord }> {
  const challenge = challengeOf(clientDataJSON);
  const record =
    challenge === null
      ? null
      : await ctx.storage.verifications.consume(sha256Base64url(challenge), ceremony, ctx.now());
  if (challenge === null || !record) {
    throw new AuthError(
      "invalid_credentials",
      "This passkey challenge is unknown, used or expired: start again",
    );
  }
  return { challenge, record };
}
