import { z } from "zod";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { passwordField } from "./fields.js";
import { verifyCurrentPassword } from "./password-login.js";

/** The caller of a sensitive change: the user and when their session signed in. */
export interface StepUpCaller {
  userId: string;
  /** When the caller's session was created, i.e. when they last proved who they are. */
  signedInAt: Date;
}

/** The optional body of a sensitive route without other input: `{ currentPassword? }`. */
export const stepUpInput = z
  .object({ currentPassword: passwordField.optional() })
  .nullish()
  .transform((value) => value ?? {});

/**
 * Sensitive changes (adding a passkey, signing out other sessions, changing the email or the
 * password) need proof that the caller holds the account now, not merely an old cookie: a
 * session signed in within `session.freshAge`, or the current password in the request. A
 * stolen day-old cookie then cannot add a passkey that would survive the owner's password reset.
 * A wrong password counts toward the account's failure limit like any sign-in.
 */
export async function requireRecentSignIn(
  ctx: AuthContext,
  caller: StepUpCaller,
  currentPassword?: string,
): Promise<void> {
  if (currentPassword !== undefined) {
    const user = await ctx.storage.users.findById(caller.userId);
    if (!user) throw new AuthError("unauthenticated", "Not signed in");
    await verifyCurrentPassword(ctx, user, currentPassword);
    return;
  }
  const age = ctx.now().getTime() - caller.signedInAt.getTime();
  if (age > ctx.config.session.freshAge * 1000) {
    throw new AuthError(
      "reauthentication_required",
      "Sign in again, or send your current password as currentPassword, to make this change",
    );
  }
}
