import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { base32Encode } from "../mfa/base32.js";
import { completeSecondFactor } from "../mfa/complete.js";
import {
  exactlyOneFactor,
  factorOf,
  ONE_FACTOR_MESSAGE,
  secondFactorInput,
  secondFactorShape,
  totpCodeField,
} from "../mfa/fields.js";
import { otpauthURI } from "../mfa/otpauth-uri.js";
import { hasSecondFactor, PENDING_SIGN_IN_PURPOSE } from "../mfa/pending-step.js";
import { hashRecoveryCode, newRecoveryCodes } from "../mfa/recovery-codes.js";
import { matchPendingCode, mfaInvalid, proveSecondFactor } from "../mfa/second-factor.js";
import { newTotpSecret, sealTotpSecret } from "../mfa/secret-box.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";
import type { SignedIn } from "./password-accounts.js";

/*
 * Two-factor authentication (DESIGN §7): setting up a TOTP authenticator, turning MFA on and
 * off, new recovery codes, and completing a sign-in that stopped at the pending step. These are
 * also `auth.api`: server code is trusted to have checked who asks (the HTTP routes require a
 * fresh session, the password or a code first, as step-up); the code each change needs is
 * checked here, whoever calls.
 */

export const enableTotpInput = z.object({ code: totpCodeField });
export const regenerateRecoveryCodesInput = z.object({ code: totpCodeField });
export const disableMfaInput = secondFactorInput;
export const verifyMfaInput = z
  .object({
    /** The pending step's token: `mfaToken` of the sign-in's answer (the pending cookie's value). */
    // No shape check here: a missing or malformed token is refused as an unknown one is
    // (`token_invalid`), after the per-IP limit has counted the request.
    mfaToken: z.string({ error: "mfaToken is required" }).max(256),
    ...secondFactorShape,
  })
  .refine(exactlyOneFactor, { error: ONE_FACTOR_MESSAGE });

/** What `setupTotp` shows once: the secret for typing in, and the URI for a QR code. */
export interface TotpSetup {
  /** The 160-bit secret in base32 (RFC 4648, no padding), grouped by nothing. */
  secret: string;
  /** `otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`. */
  uri: string;
}

/** Where a user's MFA stands. */
export interface MfaStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** Recovery codes not used yet (0 while MFA is off). */
  recoveryCodesRemaining: number;
  /** A secret was set up and is waiting for `enableTotp`. */
  pendingSetup: boolean;
}

/** A sign-in completed by a second factor; after a recovery code, how many are left. */
export type MfaSignIn = SignedIn & { recoveryCodesRemaining?: number };

async function userOf(ctx: AuthContext, userId: string): Promise<User> {
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw new AuthError("not_found", "No such user");
  return user;
}

/**
 * While an address is unverified, the first proof of it by someone else (a magic link, a reset
 * link, a verification link) evicts every credential of the account: whoever registered may
 * have been squatting the owner's address. A second factor set up then would be evicted too,
 * or, kept, would lock the real owner out; so it waits for a verified address whenever this
 * instance mails such proofs.
 */
function assertAddressSettled(ctx: AuthContext, user: User): void {
  const { magicLink, passwordReset, emailVerification } = ctx.mail.features;
  if (!user.emailVerified && (magicLink || passwordReset || emailVerification)) {
    throw new AuthError(
      "email_not_verified",
      "Confirm your email address before turning on two-factor authentication",
    );
  }
}

async function requireMfaOn(ctx: AuthContext, userId: string): Promise<void> {
  if (!(await hasSecondFactor(ctx, userId))) {
    throw new AuthError("invalid_request", "Two-factor authentication is not on for this account");
  }
}

/** Recovery codes for the user, and the hashes storage keeps of them. */
function recoveryCodesFor(ctx: AuthContext, userId: string) {
  const codes = newRecoveryCodes(ctx.random);
  const hashes = codes.map((code) => hashRecoveryCode(ctx.config.secret, userId, code) as string);
  return { codes, hashes };
}

/**
 * Makes a new TOTP secret for the user and stores it sealed, as pending: MFA changes nothing
 * until `enableTotp` confirms it with a code. A new set-up replaces an unconfirmed one; with MFA
 * on already, the current authenticator keeps working until the new one is confirmed. The
 * secret is shown this once; the issuer is `appName` (default: baseURL's host). Throws
 * `email_not_verified` while the address is unverified and the instance mails proofs of it.
 */
export async function setupTotp(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
): Promise<TotpSetup> {
  await limitPerIP(ctx, "mfa", info.ip);
  const user = await userOf(ctx, userId);
  assertAddressSettled(ctx, user);
  const secret = newTotpSecret(ctx);
  await ctx.storage.mfa.setPendingSecret(
    user.id,
    await sealTotpSecret(ctx, user.id, secret),
    ctx.now(),
  );
  const encoded = base32Encode(secret);
  return {
    secret: encoded,
    uri: otpauthURI({ issuer: ctx.mail.appName, account: user.email, secret: encoded }),
  };
}

/**
 * Confirms the pending secret with a code it made, turns MFA on (or moves it to the new
 * authenticator) and returns 10 new recovery codes, shown this once; earlier ones stop working.
 * The code is spent: it cannot sign in afterwards. Emits `mfa.enabled`. Throws `invalid_request`
 * without a pending set-up, `mfa_invalid` for a wrong code.
 */
export async function enableTotp(
  ctx: AuthContext,
  userId: string,
  input: unknown,
  info: RequestInfo = {},
): Promise<{ recoveryCodes: string[] }> {
  const { code } = parseInput(enableTotpInput, input);
  await limitPerIP(ctx, "mfa", info.ip);
  await limitPerAccount(ctx, "mfa", userId);
  const user = await userOf(ctx, userId);
  assertAddressSettled(ctx, user);
  const record = await ctx.storage.mfa.get(user.id);
  if (!record?.pendingSecret) {
    throw new AuthError(
      "invalid_request",
      "Set up an authenticator first (POST /auth/mfa/totp/setup), then confirm it with its code",
    );
  }
  const step = await matchPendingCode(ctx, user, record.pendingSecret, code);
  // Not counted toward the lockout: this secret guards nothing yet, and the caller is signed in.
  if (step === null) throw mfaInvalid();
  const { codes, hashes } = recoveryCodesFor(ctx, user.id);
  const enabled = await ctx.storage.mfa.enable(user.id, {
    pendingSecret: record.pendingSecret,
    enabledAt: ctx.now(),
    lastUsedStep: step,
    recoveryCodes: hashes,
  });
  if (!enabled) {
    throw new AuthError(
      "invalid_request",
      "This set-up was replaced or confirmed meanwhile: set up the authenticator again",
    );
  }
  await ctx.events.emit("mfa.enabled", { userId: user.id, ...info }, {});
  return { recoveryCodes: codes };
}

/**
 * Turns MFA off with a valid second factor (`{ code }` or `{ recoveryCode }`), which is the
 * step-up proof too: the caller holds the factor now. Pending sign-in steps die with it. Emits
 * `mfa.disabled` (`by: "user"`). A wrong factor counts toward the account's lockout.
 */
export async function disableMfa(
  ctx: AuthContext,
  userId: string,
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  const factor = factorOf(parseInput(disableMfaInput, input));
  await limitPerIP(ctx, "mfa", info.ip);
  const user = await userOf(ctx, userId);
  await requireMfaOn(ctx, user.id);
  await proveSecondFactor(ctx, user, factor, info);
  await ctx.storage.mfa.delete(user.id);
  await ctx.storage.verifications.deleteByUser(user.id, PENDING_SIGN_IN_PURPOSE);
  await ctx.events.emit("mfa.disabled", { userId: user.id, ...info }, { by: "user" });
}

/**
 * Replaces the user's recovery codes with 10 new ones (shown this once) after a valid TOTP code;
 * the old ones stop working at once.
 */
export async function regenerateRecoveryCodes(
  ctx: AuthContext,
  userId: string,
  input: unknown,
  info: RequestInfo = {},
): Promise<{ recoveryCodes: string[] }> {
  const { code } = parseInput(regenerateRecoveryCodesInput, input);
  await limitPerIP(ctx, "mfa", info.ip);
  const user = await userOf(ctx, userId);
  await requireMfaOn(ctx, user.id);
  await proveSecondFactor(ctx, user, { code }, info);
  const { codes, hashes } = recoveryCodesFor(ctx, user.id);
  if (!(await ctx.storage.mfa.replaceRecoveryCodes(user.id, hashes, ctx.now()))) {
    throw new AuthError("invalid_request", "Two-factor authentication was turned off meanwhile");
  }
  await ctx.events.emit(
    "mfa.recovery_codes_regenerated",
    { userId: user.id, ...info },
    { count: codes.length },
  );
  return { recoveryCodes: codes };
}

export async function getMfaStatus(ctx: AuthContext, userId: string): Promise<MfaStatus> {
  const record = await ctx.storage.mfa.get(userId);
  const enabled = Boolean(record?.totpSecret);
  return {
    enabled,
    enabledAt: enabled ? (record?.enabledAt ?? null) : null,
    recoveryCodesRemaining: enabled ? (record?.recoveryCodes.length ?? 0) : 0,
    pendingSetup: Boolean(record?.pendingSecret),
  };
}

/**
 * Completes a sign-in that stopped at the pending step: `{ mfaToken, code }` or
 * `{ mfaToken, recoveryCode }`. Only now is the session opened (`user.signed_in` with `method:
 * "mfa"`, the first factor as `firstFactor`). The pending step is single-use and takes 5 wrong
 * codes at most; a recovery code answers how many remain. Throws `token_invalid` when the step
 * is used, void or expired (sign in again), `mfa_invalid` for a wrong or used code.
 */
export async function verifyMfa(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<MfaSignIn> {
  const parsed = parseInput(verifyMfaInput, input);
  await limitPerIP(ctx, "mfa", info.ip);
  const completed = await completeSecondFactor(
    ctx,
    { mfaToken: parsed.mfaToken, factor: factorOf(parsed) },
    info,
  );
  const outcome = await signIn(ctx, completed.user.id, "mfa", info, { secondFactor: completed });
  if (outcome.mfaRequired) throw new AuthError("internal", "A completed second factor was refused");
  const { recoveryCodesRemaining } = completed;
  return {
    user: completed.user,
    ...outcome,
    ...(recoveryCodesRemaining === undefined ? {} : { recoveryCodesRemaining }),
  };
}
