import type { AuthContext } from "../context/context.js";
import { validateSessionToken } from "../sessions/sessions.js";
import { authenticateAccessToken } from "../tokens/authenticate-access-token.js";
import { looksLikeJwt } from "../tokens/jwt-shape.js";
import type { AuthResult } from "../types.js";
import type { Credential } from "./read-credential.js";

/**
 * The user and session behind a credential, or null. Storage failures propagate. A Bearer
 * credential with three dot-separated parts is an access JWT; anything else is a session token
 * (`id.secret`). JWTs are accepted only as Bearer, never from the cookie.
 */
export function authenticateCredential(
  ctx: AuthContext,
  credential: Credential | null,
): Promise<AuthResult | null> {
  // Not async: this is every guarded request's path, and each async layer costs a promise.
  if (!credential) return Promise.resolve(null);
  if (credential.kind === "bearer" && looksLikeJwt(credential.token)) {
    return authenticateAccessToken(ctx, credential.token);
  }
  return validateSessionToken(ctx, credential.token);
}
