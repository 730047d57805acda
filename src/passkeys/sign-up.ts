import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import * as z from "zod";
import { emailField, nameField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { AuthError } from "../errors.js";
import { afterRegistration } from "../flows/email-verification.js";
import type { SignedIn } from "../flows/password-accounts.js";
import { limitPerIP } from "../ops/rate-limit.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo } from "../types.js";
import { parseInput } from "../validation.js";
import { CHALLENGE_SECONDS, consumeChallenge, issueChallenge } from "./challenges.js";
import type { Passkey } from "./passkey.js";
import {
  registrationInput,
  storePasskey,
  userHandleOf,
  verifyAttestation,
} from "./registration.js";
import { assertSameCredentialId, type RegistrationResponse } from "./schemas.js";
import { loadWebAuthn } from "./webauthn.js";

/*
 * Passkey-first sign-up (`passkey.signUp: true`): an account whose only credential is a passkey.
 * The account is created only once the passkey is verified, so an abandoned ceremony leaves
 * nothing behind. The challenge carries the would-be account (its id, email and name).
 */

export const signUpInput = z.object({ email: emailField, name: nameField });

const signUpBinding = z.object({
  signUp: z.literal(true),
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
});

function assertSignUpEnabled(ctx: AuthContext) {
  if (!ctx.relyingParty.signUp) {
    throw new AuthError("unauthenticated", "Sign in first: passkey sign-up is not enabled");
  }
}

export async function passkeySignUpOptions(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  assertSignUpEnabled(ctx);
  const { email, name } = parseInput(signUpInput, input);
  await limitPerIP(ctx, "register", info.ip);
  const party = ctx.relyingParty;
  const userId = randomId(ctx.config.random);
  const challenge = await issueChallenge(ctx, "passkey-registration", {
    userId: null,
    identifier: email,
    data: { signUp: true, userId, email, name: name ?? null },
  });
  const { generateRegistrationOptions } = await loadWebAuthn();
  return generateRegistrationOptions({
    rpName: party.name,
    rpID: party.id,
    userName: email,
    userDisplayName: name ?? email,
    userID: userHandleOf(userId),
    challenge: challenge.bytes,
    timeout: CHALLENGE_SECONDS * 1000,
    attestationType: "none",
    authenticatorSelection: {
      residentKey: "required",
      requireResidentKey: true,
      userVerification: party.userVerification,
    },
    supportedAlgorithmIDs: party.algorithms,
  });
}

const signUpFailed = () =>
  new AuthError("invalid_credentials", "The passkey could not be verified");

/** Verifies the new passkey, then creates the account with it and signs the visitor in. */
export async function verifyPasskeySignUp(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<SignedIn & { passkey: Passkey }> {
  assertSignUpEnabled(ctx);
  const { response, name: passkeyName } = parseInput(registrationInput, input);
  assertSameCredentialId(response);
  await limitPerIP(ctx, "register", info.ip);
  const { challenge, record } = await consumeChallenge(
    ctx,
    "passkey-registration",
    response.response.clientDataJSON,
  );
  // A challenge issued to a signed-in user adds a passkey; it never creates an account.
  if (record.userId !== null || record.data === null) throw signUpFailed();
  const binding = signUpBinding.safeParse(JSON.parse(record.data));
  if (!binding.success) throw signUpFailed();
  const attested = await verifyAttestation(ctx, response as RegistrationResponse, challenge);
  const { userId, email, name } = binding.data;
  const user = await ctx.storage.users.create({
    id: userId,
    email,
    emailVerified: false,
    name,
    createdAt: ctx.now(),
  });
  let passkey: Passkey;
  try {
    passkey = await storePasskey(ctx, user.id, attested, passkeyName, info);
  } catch (error) {
    // An account without its passkey would have no way in at all.
    await ctx.storage.users.delete(user.id);
    throw error;
  }
  await afterRegistration(ctx, user);
  await ctx.events.emit(
    "user.registered",
    { userId: user.id, ...info },
    {
      method: "passkey",
      email: user.email,
    },
  );
  const outcome = await signIn(ctx, user.id, "passkey", info);
  // An account created a moment ago has no second factor to wait for.
  if (outcome.mfaRequired) throw new AuthError("internal", "A new account cannot need MFA");
  return { user, passkey, ...outcome };
}
