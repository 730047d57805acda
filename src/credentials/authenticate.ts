import type { AuthContext } from "../context/context.js";
import { sessionOfToken } from "../sessions/sessions.js";
import { authenticateAccessToken } from "../tokens/authenticate-access-token.js";
import { looksLikeJwt } from "../tokens/jwt-shape.js";
import type { CallerNowOrLater } from "../util/authenticate-now.js";
import type { Credential } from "./read-credential.js";

/**
 * The user and session behind a credential, or null. Storage failures propagate. A Bearer
 * credential with three dot-separated parts is an access JWT; anything else is a session token
 * (`id.secret`). JWTs are accepted only as Bearer, never from the cookie. Answers without a
 * promise when nothing needs waiting for (no credential, or the caches vouch for it).
 */
export function authenticateCredential(
  ctx: AuthContext,
  credential: Credential | null,
): CallerNowOrLater {
  if (!credential) return null;
  if (credential.kind === "bearer" && looksLikeJwt(credential.token)) {
    return authenticateAccessToken(ctx, credential.token);
  }
  return sessionOfToken(ctx, credential.token);
}
