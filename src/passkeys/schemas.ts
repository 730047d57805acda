import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import * as z from "zod";
import { AuthError } from "../errors.js";

/*
 * The shapes of what `@simplewebauthn/browser` (or any WebAuthn client) posts back. Only the
 * structure is checked here; everything cryptographic is @simplewebauthn/server's job.
 */

const base64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+$/, "must be base64url");

const credentialBase = {
  /** Credential IDs are at most 1023 bytes (WebAuthn §5.8.3), 1364 base64url characters. */
  id: base64url.max(1364),
  rawId: base64url.max(1364),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

export const registrationResponseSchema = z.object({
  ...credentialBase,
  response: z.looseObject({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  ...credentialBase,
  response: z.looseObject({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.max(128).optional(),
  }),
});

export const passkeyNameField = z.string().trim().min(1).max(64).nullable();

/**
 * `id` and `rawId` name one credential in two encodings; a response where they differ is
 * malformed or forged (the account lookup uses one, the authenticator signed the other).
 */
export function assertSameCredentialId(response: { id: string; rawId: string }) {
  if (response.id !== response.rawId) {
    throw new AuthError("invalid_request", "id and rawId must be the same credential ID");
  }
}

export type RegistrationResponse = z.output<typeof registrationResponseSchema> &
  RegistrationResponseJSON;
export type AuthenticationResponse = z.output<typeof authenticationResponseSchema> &
  AuthenticationResponseJSON;
