import type {
  PublicKeyCredentialRequestOptionsJSON,
  VerifiedAuthenticationResponse,
} from "@simplewebauthn/server";
import * as z from "zod";
import { assertEmailVerified } from "../accounts/email-verified.js";
import { emailField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { base64urlDecode } from "../crypto/base64url.js";
import { constantTimeEqual } from "../crypto/constant-time.js";
import { AuthError } from "../errors.js";
import { type SignInResult, withUser } from "../flows/password-accounts.js";
import { limitPerIP } from "../ops/rate-limit.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo } from "../types.js";
import { parseInput } from "../validation.js";
import { CHALLENGE_SECONDS, consumeChallenge, issueChallenge } from "./challenges.js";
import {
  type AuthenticationResponse,
  assertSameCredentialId,
  authenticationResponseSchema,
} from "./schemas.js";
import { loadWebAuthn } from "./webauthn.js";

export const loginOptionsInput = z.object({ email: emailField.optional() }).nullish();

const encoder = new TextEncoder();

/**
 * Options for `navigator.credentials.get()` (or `startAuthentication({ optionsJSON })`). They
 * never list credentials (`allowCredentials` stays empty): the browser offers the discoverable
 * passkeys it holds for this site, whether or not an email came with the request.
 *
 * An email only binds the challenge: the verify step then signs in that account alone and
 * refuses a passkey of any other. The answer must not tell which addresses have passkeys, and
 * listing credentials would: real IDs differ in number, in byte length (16 bytes on some
 * security keys, 32, 64 or more elsewhere) and in transports, which decoys cannot imitate
 * without knowing the authenticators (padding to a fixed count still leaves the lengths), and a
 * list would hand anyone who types an address that account's credential IDs. Leaving the list
 * out loses nothing: every passkey this library creates is
 * discoverable (`residentKey: "required"`, see registration.ts and sign-up.ts), so the browser
 * finds it without being told its ID. The function reads no account either, so known, unknown
 * and passkey-less addresses cost the same storage work and get the same shape of answer.
 */
export async function passkeyLoginOptions(
  ctx: AuthContext,
  input: unknown = {},
  info: RequestInfo = {},
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const email = parseInput(loginOptionsInput, input)?.email;
  await limitPerIP(ctx, "passkey-login", info.ip);
  const party = ctx.relyingParty;
  const challenge = await issueChallenge(ctx, "passkey-login", {
    userId: null,
    identifier: email ?? "",
    data: { hinted: email !== undefined },
  });
  const { generateAuthenticationOptions } = await loadWebAuthn();
  return generateAuthenticationOptions({
    rpID: party.id,
    challenge: challenge.bytes,
    timeout: CHALLENGE_SECONDS * 1000,
    userVerification: party.userVerification,
  });
}

const signInFailed = () => new AuthError("invalid_credentials", "Passkey sign-in failed");

function wasHinted(data: string | null): boolean {
  try {
    return data !== null && (JSON.parse(data) as { hinted?: unknown }).hinted === true;
  } catch {
    return true; // unreadable binding: treat it as the stricter kind
  }
}

/**
 * Checks an answer to a login challenge and, when it holds, opens a session exactly as a
 * password login does. The challenge is spent first, whatever the outcome. An assertion with
 * user verification (the authenticator checked a PIN or biometric: the UV flag, which the
 * signature covers) is two factors and signs an account with MFA in directly; without it, the
 * passkey is a first factor like a password, and such an account gets the pending step (§7).
 */
export async function verifyPasskeyLogin(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<SignInResult> {
  const response = parseInput(authenticationResponseSchema, input) as AuthenticationResponse;
  assertSameCredentialId(response);
  await limitPerIP(ctx, "passkey-login", info.ip);
  const { challenge, record } = await consumeChallenge(
    ctx,
    "passkey-login",
    response.response.clientDataJSON,
  );
  const passkey = await ctx.storage.passkeys.findById(response.id);
  if (!passkey) throw signInFailed();
  const user = await ctx.storage.users.findById(passkey.userId);
  if (!user) throw signInFailed();
  // An email-hinted ceremony only signs in the account it was asked for. The challenge holds the
  // address (emails are stored normalized, as the hint was), not an account looked up for it.
  if (wasHinted(record.data) && user.email !== record.identifier) throw signInFailed();
  const { userHandle } = response.response;
  if (userHandle !== undefined) {
    const claimed = base64urlDecode(userHandle);
    if (!claimed || !constantTimeEqual(claimed, encoder.encode(passkey.userId))) {
      throw signInFailed();
    }
  }
  const publicKey = base64urlDecode(passkey.publicKey);
  if (!publicKey) throw signInFailed();
  const party = ctx.relyingParty;
  const { verifyAuthenticationResponse } = await loadWebAuthn();
  let verification: VerifiedAuthenticationResponse;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: party.origins,
      expectedRPID: party.id,
      // The counter is checked below, after the signature, so that only a response the
      // authenticator really signed can be reported as a possible clone.
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(publicKey),
        counter: 0,
        transports: passkey.transports as never,
      },
      requireUserVerification: party.userVerification === "required",
    });
  } catch {
    throw signInFailed();
  }
  if (!verification.verified) throw signInFailed();
  const counter = verification.authenticationInfo.newCounter;
  if ((counter > 0 || passkey.counter > 0) && counter <= passkey.counter) {
    // Two authenticators hold one private key: refuse, and tell the operators.
    await ctx.events.emit(
      "passkey.clone_suspected",
      { userId: passkey.userId, ...info },
      {
        passkeyId: passkey.id,
        storedCounter: passkey.counter,
        presentedCounter: counter,
      },
    );
    throw new AuthError(
      "invalid_credentials",
      "Passkey rejected: its signature counter went backwards, which suggests a cloned authenticator",
    );
  }
  // Conditional write: of two sign-ins replaying one counter value, only one gets here.
  const recorded = await ctx.storage.passkeys.recordUse(passkey.id, {
    counter,
    backedUp: verification.authenticationInfo.credentialBackedUp,
    usedAt: ctx.now(),
  });
  if (!recorded) throw signInFailed();
  // Only after the signature held, as for passwords: nobody else learns whether it is verified.
  assertEmailVerified(ctx, user);
  const multiFactor = verification.authenticationInfo.userVerified === true;
  return withUser(user, await signIn(ctx, user.id, "passkey", info, { multiFactor }));
}
