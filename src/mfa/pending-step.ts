import type { AuthContext } from "../context/context.js";
import { randomToken } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { SignInMethod } from "../events/events.js";
import type { VerificationRecord } from "../storage/ports.js";

/*
 * The pending step of a sign-in (DESIGN §7): the first factor held, the account has MFA, so no
 * session yet. What the caller gets instead is a single-use token (the pending cookie, or the
 * token endpoint's `mfa_token`): 256 random bits, stored only as its SHA-256 in the
 * verifications port (purpose `mfa-pending`), bound to the user, the first factor's method and
 * its time, and alive 10 minutes at most. It is no session: nothing that reads sessions or
 * access tokens accepts it, and only `POST /auth/mfa/verify` (or `grant_type=mfa_otp`) reads it.
 */

export const PENDING_SIGN_IN_PURPOSE = "mfa-pending";
/** DESIGN §7: the pending step lives at most 10 minutes. */
export const PENDING_SIGN_IN_SECONDS = 10 * 60;
/** Wrong codes one pending step takes before it is void (the first factor must be done again). */
export const PENDING_SIGN_IN_ATTEMPTS = 5;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A sign-in stopped at the pending step: what the caller needs to complete it. */
export interface SecondFactorRequired {
  mfaRequired: true;
  /** The pending step's single-use token: the pending cookie's value, the `mfa_token`. */
  mfaToken: string;
  /** When the pending step ends; the first factor must be done again after. */
  expiresAt: Date;
}

/** What a pending step remembers of the first factor. */
export interface PendingSignIn {
  userId: string;
  firstFactor: SignInMethod;
  /** When the first factor was proven. */
  firstFactorAt: Date;
  /** Wrong codes so far. */
  attempts: number;
  record: VerificationRecord;
}

/** How a first factor that is two factors by itself says so, for `requireSecondFactor`. */
export interface FirstFactorProof {
  /**
   * The first factor proved possession and the person both: a passkey assertion with user
   * verification (a PIN or biometric on the authenticator). It signs in without the pending step.
   */
  multiFactor?: boolean;
}

/** Whether the user has MFA on. */
export async function hasSecondFactor(ctx: AuthContext, userId: string): Promise<boolean> {
  const record = await ctx.storage.mfa.get(userId);
  return Boolean(record?.totpSecret);
}

/**
 * The second-factor gate: null when the sign-in may open a session (MFA off, or the first factor
 * was two factors), else the pending step, stored. `sessions.signIn` calls it for every first
 * factor, so no sign-in method can leave it out.
 */
export async function requireSecondFactor(
  ctx: AuthContext,
  attempt: { userId: string; method: SignInMethod },
  proof: FirstFactorProof = {},
): Promise<SecondFactorRequired | null> {
  if (proof.multiFactor === true) return null;
  if (!(await hasSecondFactor(ctx, attempt.userId))) return null;
  const token = randomToken(ctx.random);
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + PENDING_SIGN_IN_SECONDS * 1000);
  await ctx.storage.verifications.create({
    id: sha256Base64url(token),
    purpose: PENDING_SIGN_IN_PURPOSE,
    userId: attempt.userId,
    identifier: attempt.userId,
    data: JSON.stringify({ method: attempt.method, at: now.getTime(), attempts: 0 }),
    createdAt: now,
    expiresAt,
  });
  return { mfaRequired: true, mfaToken: token, expiresAt };
}

const pendingGone = () =>
  new AuthError(
    "token_invalid",
    "This sign-in step has expired or was already used: sign in again",
  );

/**
 * Takes the pending step behind a token, atomically (of concurrent uses, one gets it): the
 * caller completes it or gives it back (`returnPendingSignIn`). Throws `token_invalid` for an
 * unknown, used, void or expired token.
 */
export async function takePendingSignIn(ctx: AuthContext, token: unknown): Promise<PendingSignIn> {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) throw pendingGone();
  const record = await ctx.storage.verifications.consume(
    sha256Base64url(token),
    PENDING_SIGN_IN_PURPOSE,
    ctx.now(),
  );
  if (!record?.userId) throw pendingGone();
  const data = parseData(record.data);
  if (!data) throw pendingGone();
  return {
    userId: record.userId,
    firstFactor: data.method,
    firstFactorAt: new Date(data.at),
    attempts: data.attempts,
    record,
  };
}

/**
 * Puts a taken pending step back, unchanged but for its count of wrong codes, with its original
 * expiry; at `PENDING_SIGN_IN_ATTEMPTS` wrong codes it stays gone.
 */
export async function returnPendingSignIn(
  ctx: AuthContext,
  pending: PendingSignIn,
  attempts: number,
): Promise<void> {
  if (attempts >= PENDING_SIGN_IN_ATTEMPTS) return;
  await ctx.storage.verifications.create({
    ...pending.record,
    data: JSON.stringify({
      method: pending.firstFactor,
      at: pending.firstFactorAt.getTime(),
      attempts,
    }),
  });
}

function parseData(
  data: string | null,
): { method: SignInMethod; at: number; attempts: number } | null {
  try {
    const parsed = JSON.parse(data ?? "null") as Record<string, unknown> | null;
    if (
      typeof parsed?.method !== "string" ||
      typeof parsed.at !== "number" ||
      typeof parsed.attempts !== "number"
    ) {
      return null;
    }
    return {
      method: parsed.method as SignInMethod,
      at: parsed.at,
      attempts: parsed.attempts,
    };
  } catch {
    return null;
  }
}
