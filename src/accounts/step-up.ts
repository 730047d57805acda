import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { totpCodeField } from "../mfa/fields.js";
import { hasSecondFactor } from "../mfa/pending-step.js";
import { proveSecondFactor } from "../mfa/second-factor.js";
import type { RequestInfo } from "../types.js";
import { passwordField } from "./fields.js";
import { verifyCurrentPassword } from "./password-login.js";

/** The caller of a sensitive change: the user and when their session signed in. */
export interface StepUpCaller {
  userId: string;
  /** When the caller's session was created, i.e. when they last proved who they are. */
  signedInAt: Date;
}

/**
 * The optional body of a sensitive route without other input: `{ currentPassword? }`, or for a
 * user with MFA `{ code? }` (the 6 digits of their authenticator app).
 */
export const stepUpInput = z
  .object({ currentPassword: passwordField.optional(), code: totpCodeField.optional() })
  .nullish()
  .transform((value) => value ?? {});

/** What a request may prove instead of a fresh session: the password, or a TOTP code. */
export interface StepUpProof {
  currentPassword?: string;
  /** A TOTP code, for a user with MFA: a second factor proves the caller holds the account. */
  code?: string;
}

/**
 * Sensitive changes (adding a passkey, signing out other sessions, changing the email or the
 * password, turning MFA on) need proof that the caller holds the account now, not merely an old
 * cookie: a session signed in within `session.freshAge`, or in the request the current password
 * or, for a user with MFA, a TOTP code (accepted once, like at sign-in). A stolen day-old cookie
 * then cannot add a passkey that would survive the owner's password reset. A wrong password or
 * code counts toward the account's failure limit like any sign-in. `proof` may be the password
 * alone (a string).
 */
export async function requireRecentSignIn(
  ctx: AuthContext,
  caller: StepUpCaller,
  proof?: string | StepUpProof,
  info: RequestInfo = {},
): Promise<void> {
  const { currentPassword, code } =
    typeof proof === "string" ? { currentPassword: proof, code: undefined } : (proof ?? {});
  if (code !== undefined) {
    const user = await ctx.storage.users.findById(caller.userId);
    if (!user) throw new AuthError("unauthenticated", "Not signed in");
    if (!(await hasSecondFactor(ctx, user.id))) {
      throw new AuthError(
        "reauthentication_required",
        "This account has no two-factor authentication: sign in again, or send your current password as currentPassword, to make this change",
      );
    }
    await proveSecondFactor(ctx, user, { code }, info);
    return;
  }
  if (currentPassword !== undefined) {
    const user = await ctx.storage.users.findById(caller.userId);
    if (!user) throw new AuthError("unauthenticated", "Not signed in");
    await verifyCurrentPassword(ctx, user, currentPassword);
    return;
  }
  const age = ctx.now().getTime() - caller.signedInAt.getTime();
  if (age > ctx.config.session.freshAge * 1000) {
    const withCode = await hasSecondFactor(ctx, caller.userId);
    throw new AuthError(
      "reauthentication_required",
      withCode
        ? "Sign in again, or send your current password as currentPassword or a code from your authenticator app as code, to make this change"
        : "Sign in again, or send your current password as currentPassword, to make this change",
    );
  }
}
