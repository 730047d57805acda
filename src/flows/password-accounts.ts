import * as z from "zod";
import { secureAccount } from "../accounts/account-recovery.js";
import { emailField, nameField, passwordField } from "../accounts/fields.js";
import { verifyCurrentPassword, verifyPasswordLogin } from "../accounts/password-login.js";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { AuthError } from "../errors.js";
import type { SecondFactorRequired } from "../mfa/pending-step.js";
import { limitPerIP } from "../ops/rate-limit.js";
import {
  announceSignIn,
  createSession,
  type IssuedSession,
  type SignInOutcome,
  signIn,
} from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";
import { afterRegistration } from "./email-verification.js";
import { acceptablePassword } from "./password-policy-check.js";

export const registerInput = z.object({
  email: emailField,
  password: passwordField,
  name: nameField,
});
export const loginInput = z.object({ email: emailField, password: passwordField });
export const changePasswordInput = z.object({
  currentPassword: passwordField,
  newPassword: passwordField,
});

export interface SignedIn extends IssuedSession {
  user: User;
}

/**
 * What a sign-in answers: `SignedIn`, or for an account with MFA the pending step
 * (`{ mfaRequired: true, mfaToken, expiresAt }`), completed by `auth.api.verifyMfa`. Tell them
 * apart by `mfaRequired`.
 */
export type SignInResult = SignedIn | SecondFactorRequired;

/** Adds the user to a `signIn` outcome that opened a session; the pending step stays as it is. */
export function withUser(user: User, outcome: SignInOutcome): SignInResult {
  return outcome.mfaRequired ? outcome : { user, ...outcome };
}

/**
 * A new account: signed in, unless `emailVerification.required` holds the session back until
 * the address is verified (otherwise registering would be a way around the requirement). Then
 * `registrationBinding` (when a verification mail was sent) marks the registering browser: the
 * HTTP layer keeps it in a cookie, and the verification link opened with it keeps the password.
 */
export type Registered =
  | (SignedIn & { registrationBinding?: undefined })
  | { user: User; session: null; token: null; registrationBinding: string | null };

export async function register(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<Registered> {
  const { email, password, name } = parseInput(registerInput, input);
  await limitPerIP(ctx, "register", info.ip);
  const normalized = await acceptablePassword(ctx, password, "password");
  const passwordHash = await ctx.hasher.hash(normalized);
  const user = await ctx.storage.users.create(
    {
      id: randomId(ctx.config.random),
      email,
      emailVerified: false,
      name: name ?? null,
      createdAt: ctx.now(),
    },
    { passwordHash },
  );
  let signedIn: SignedIn | null = null;
  if (!ctx.config.emailVerification.required) {
    try {
      // Not signIn: the sign-up is announced first, then the sign-in that came with it.
      signedIn = { user, ...(await createSession(ctx, user.id, info)) };
    } catch (error) {
      // Sessions may live in another store (Redis beside SQL): undo the account rather than
      // leave one whose sign-up answered an error, so retrying the sign-up works.
      await ctx.storage.users.delete(user.id).catch(() => {});
      throw error;
    }
  }
  await ctx.events.emit(
    "user.registered",
    { userId: user.id, ...info },
    {
      method: "password",
      email: user.email,
    },
  );
  if (signedIn) await announceSignIn(ctx, user.id, "password", signedIn.session.id, info);
  const registrationBinding = await afterRegistration(ctx, user);
  return signedIn ?? { user, session: null, token: null, registrationBinding };
}

export async function login(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<SignInResult> {
  const { email, password } = parseInput(loginInput, input);
  await limitPerIP(ctx, "login", info.ip);
  const user = await verifyPasswordLogin(ctx, email, password, { info });
  return withUser(user, await signIn(ctx, user.id, "password", info));
}

/**
 * Changes the password of a signed-in user, revokes their other sessions and voids every
 * pending token (an email change included): whoever else held one may be the reason the
 * password is changing.
 */
export async function changePassword(
  ctx: AuthContext,
  auth: { userId: string; sessionId: string },
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  const { currentPassword, newPassword } = parseInput(changePasswordInput, input);
  await limitPerIP(ctx, "password-change", info.ip);
  const user = await ctx.storage.users.findById(auth.userId);
  if (!user) throw new AuthError("unauthenticated", "Not signed in");
  await verifyCurrentPassword(ctx, user, currentPassword);
  const stored = await ctx.storage.passwords.get(user.id);
  const normalized = await acceptablePassword(ctx, newPassword, "newPassword");
  const next = await ctx.hasher.hash(normalized);
  const replaced = stored !== null && (await ctx.storage.passwords.replace(user.id, stored, next));
  if (!replaced)
    throw new AuthError("invalid_credentials", "The password changed meanwhile; try again");
  await secureAccount(ctx, user.id, "password_changed", auth.sessionId);
  await ctx.events.emit("password.changed", { userId: user.id, ...info }, {});
}
