import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { randomToken } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { payloadCipher } from "../outbox/payload-cipher.js";

/*
 * The state of one sign-in attempt, between the redirect to the provider and its return.
 *
 * The browser keeps it in a cookie, sealed (AES-256-GCM under a key derived from `secret`, so it
 * can be neither read nor forged): the `state` and the PKCE verifier, the OIDC nonce, the
 * provider it was started for, where to land, and the user linking an identity, if one is. The
 * cookie binds the attempt to the browser that started it: a callback carrying another
 * browser's `state` (login CSRF) finds no matching cookie.
 *
 * The server keeps only the SHA-256 of `state`, as a verification record with a 10-minute
 * expiry, and the callback consumes it atomically: a replayed callback, even with a copy of the
 * cookie, finds nothing. Nothing secret rests in storage.
 */

export const OAUTH_STATE_PURPOSE = "oauth-state";
/** How long an attempt may take, from the redirect to the provider to the callback. */
export const STATE_SECONDS = 10 * 60;
const CIPHER_PURPOSE = "portcullis oauth state v1";

const pendingSchema = z.object({
  provider: z.string(),
  state: z.string(),
  verifier: z.string(),
  nonce: z.string().nullable(),
  redirectTo: z.string().nullable(),
  linkUserId: z.string().nullable(),
  expiresAt: z.number(),
});

/** One attempt, as its cookie carries it. */
export type PendingSignIn = z.infer<typeof pendingSchema>;

const cipher = (ctx: AuthContext) =>
  payloadCipher(ctx.config.secret, ctx.config.random, CIPHER_PURPOSE);

/**
 * Starts an attempt: fresh `state`, PKCE verifier and (for OIDC) nonce, 256 bits each, the
 * server's record of `state`, and the sealed cookie value.
 */
export async function beginAttempt(
  ctx: AuthContext,
  attempt: {
    provider: string;
    oidc: boolean;
    redirectTo: string | null;
    linkUserId: string | null;
  },
): Promise<{ pending: PendingSignIn; sealed: string }> {
  const random = ctx.config.random;
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + STATE_SECONDS * 1000);
  const pending: PendingSignIn = {
    provider: attempt.provider,
    state: randomToken(random),
    verifier: randomToken(random),
    nonce: attempt.oidc ? randomToken(random) : null,
    redirectTo: attempt.redirectTo,
    linkUserId: attempt.linkUserId,
    expiresAt: expiresAt.getTime(),
  };
  await ctx.storage.verifications.create({
    id: sha256Base64url(pending.state),
    purpose: OAUTH_STATE_PURPOSE,
    userId: attempt.linkUserId,
    identifier: attempt.provider,
    data: null,
    createdAt: now,
    expiresAt,
  });
  return { pending, sealed: await cipher(ctx).seal(JSON.stringify(pending)) };
}

/**
 * The attempt a cookie carries, or null when there is none, it was sealed under another key or
 * tampered with, or it has expired. Reading it consumes nothing.
 */
export async function openAttempt(
  ctx: AuthContext,
  sealed: string | null,
): Promise<PendingSignIn | null> {
  if (!sealed) return null;
  const plain = await cipher(ctx).open(sealed);
  if (plain === null) return null;
  let parsed: ReturnType<typeof pendingSchema.safeParse>;
  try {
    parsed = pendingSchema.safeParse(JSON.parse(plain));
  } catch {
    return null;
  }
  if (!parsed.success || parsed.data.expiresAt <= ctx.now().getTime()) return null;
  return parsed.data;
}

/**
 * Uses the attempt up: true for exactly one of any number of callbacks with it, and only while
 * the server's record lives and names the same provider and linking user.
 */
export async function consumeAttempt(ctx: AuthContext, pending: PendingSignIn): Promise<boolean> {
  const record = await ctx.storage.verifications.consume(
    sha256Base64url(pending.state),
    OAUTH_STATE_PURPOSE,
    ctx.now(),
  );
  return (
    record !== null &&
    record.identifier === pending.provider &&
    record.userId === pending.linkUserId
  );
}
