import type { AuthContext } from "../context.js";
import type { Credential } from "../http/credentials.js";
import type { AuthResult } from "../types.js";
import { validateSessionToken } from "./sessions.js";

/** The user and session behind a credential, or null. Storage failures propagate. */
export async function authenticateCredential(
  ctx: AuthContext,
  credential: Credential | null,
): Promise<AuthResult | null> {
  if (!credential) return null;
  return validateSessionToken(ctx, credential.token);
}
