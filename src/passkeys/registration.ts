import type {
  PublicKeyCredentialCreationOptionsJSON,
  VerifiedRegistrationResponse,
} from "@simplewebauthn/server";
import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { base64urlEncode } from "../crypto/base64url.js";
import { AuthError } from "../errors.js";
import { limitPerIP } from "../ops/rate-limit.js";
import type { PasskeyRecord } from "../storage/ports.js";
import type { RequestInfo } from "../types.js";
import { parseInput } from "../validation.js";
import { CHALLENGE_SECONDS, consumeChallenge, issueChallenge } from "./challenges.js";
import { type Passkey, toPublicPasskey } from "./passkey.js";
import {
  assertSameCredentialId,
  passkeyNameField,
  type RegistrationResponse,
  registrationResponseSchema,
} from "./schemas.js";
import { loadWebAuthn } from "./webauthn.js";

/** The WebAuthn user handle: the user's id, so a discoverable login names its account. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/**
 * Options for `navigator.credentials.create()` (or `startRegistration({ optionsJSON })`), for a
 * signed-in user adding a passkey. Passkeys are created discoverable (resident), so signing in
 * needs no email; the user's existing passkeys are excluded so one authenticator is not added twice.
 */
export async function passkeyRegistrationOptions(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await limitPerIP(ctx, "passkey-register", info.ip);
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw new AuthError("unauthenticated", "Not signed in");
  const party = ctx.relyingParty;
  const existing = await ctx.storage.passkeys.listByUser(user.id);
  const challenge = await issueChallenge(ctx, "passkey-registration", {
    userId: user.id,
    identifier: user.email,
  });
  const { generateRegistrationOptions } = await loadWebAuthn();
  return generateRegistrationOptions({
    rpName: party.name,
    rpID: party.id,
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    userID: userHandleOf(user.id),
    challenge: challenge.bytes,
    timeout: CHALLENGE_SECONDS * 1000,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: {
      residentKey: "required",
      requireResidentKey: true,
      userVerification: party.userVerification,
    },
    supportedAlgorithmIDs: party.algorithms,
  });
}

/** What `/passkey/register/verify` accepts: the credential itself, or `{ response, name }`. */
export const registrationInput = z.union([
  z.object({ response: registrationResponseSchema, name: passkeyNameField.optional() }),
  registrationResponseSchema.transform((response) => ({ response, name: undefined })),
]);

const registrationFailed = () =>
  new AuthError("invalid_credentials", "The passkey could not be verified");

/**
 * Checks an answer to a registration challenge and stores the new passkey. The challenge must
 * have been issued to this same user, and is spent whatever the outcome.
 */
export async function verifyPasskeyRegistration(
  ctx: AuthContext,
  userId: string,
  input: unknown,
  info: RequestInfo = {},
): Promise<Passkey> {
  const { response, name } = parseInput(registrationInput, input);
  assertSameCredentialId(response);
  await limitPerIP(ctx, "passkey-register", info.ip);
  const { challenge, record } = await consumeChallenge(
    ctx,
    "passkey-registration",
    response.response.clientDataJSON,
  );
  if (record.userId !== userId) throw registrationFailed();
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw new AuthError("unauthenticated", "Not signed in");
  const attested = await verifyAttestation(ctx, response as RegistrationResponse, challenge);
  return storePasskey(ctx, user.id, attested, name, info);
}

/** A verified new credential, not stored yet. */
export type AttestedPasskey = Omit<
  PasskeyRecord,
  "userId" | "name" | "createdAt" | "lastUsedAt" | "createdIp" | "createdUserAgent"
>;

/** Verifies an attestation against the challenge it answers; throws `invalid_credentials`. */
export async function verifyAttestation(
  ctx: AuthContext,
  response: RegistrationResponse,
  challenge: string,
): Promise<AttestedPasskey> {
  const party = ctx.relyingParty;
  const { verifyRegistrationResponse } = await loadWebAuthn();
  let verification: VerifiedRegistrationResponse;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: party.origins,
      expectedRPID: party.id,
      requireUserPresence: true,
      requireUserVerification: party.userVerification === "required",
      supportedAlgorithmIDs: party.algorithms,
    });
  } catch {
    throw registrationFailed();
  }
  if (!verification.verified) throw registrationFailed();
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  // The id the client claims must be the one the authenticator attested.
  if (credential.id !== response.id) throw registrationFailed();
  return {
    id: credential.id,
    publicKey: base64urlEncode(credential.publicKey),
    counter: credential.counter,
    transports: response.response.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
  };
}

export async function storePasskey(
  ctx: AuthContext,
  userId: string,
  attested: AttestedPasskey,
  name: string | null | undefined,
  info: RequestInfo,
): Promise<Passkey> {
  const passkey: PasskeyRecord = {
    ...attested,
    userId,
    name: name ?? null,
    createdAt: ctx.now(),
    lastUsedAt: null,
    createdIp: info.ip ?? null,
    createdUserAgent: info.userAgent?.slice(0, 512) ?? null,
  };
  if (!(await ctx.storage.passkeys.create(passkey))) {
    throw new AuthError("invalid_request", "This passkey is already registered");
  }
  await ctx.events.emit("passkey.added", { userId, ...info }, { passkeyId: passkey.id });
  return toPublicPasskey(passkey);
}
