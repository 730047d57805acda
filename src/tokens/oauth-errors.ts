import type { AuthError, AuthErrorCode } from "../errors.js";

/**
 * The error codes the OAuth token endpoints answer with (DESIGN §4's one exception to the
 * library's error shape): RFC 6749 §5.2's, `mfa_required` (DESIGN §7), and for failures that are
 * not the request's fault the codes OAuth clients already know for them: `slow_down` (RFC 8628,
 * a token endpoint code: asking too often), `temporarily_unavailable` and `server_error`
 * (RFC 6749 §4.1.2.1).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "mfa_required"
  | "slow_down"
  | "temporarily_unavailable"
  | "server_error";

/** An RFC 6749 §5.2 error body; `mfa_required` adds `mfa_token`. */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
  mfa_token?: string;
}

/**
 * Each library failure as the token endpoints answer it, and with which status. What the client
 * must fix in its request is `invalid_request`; a credential that does not (or no longer) let it
 * in — wrong password, unknown, expired, reused or revoked refresh token, used `mfa_token`, wrong
 * one-time code, disabled or unverified account — is `invalid_grant`, the code OAuth clients read
 * as "sign in again": the description says which. Both are 400 as RFC 6749 §5.2 has it. Failures
 * of transport and load keep their HTTP status (413, 415, 429 and 503 with `Retry-After`, 500).
 * Codes no token grant throws are mapped anyway, so adding a code forces a decision here.
 */
const AS_OAUTH: Record<AuthErrorCode, readonly [OAuthErrorCode, number]> = {
  invalid_request: ["invalid_request", 400],
  invalid_credentials: ["invalid_grant", 400],
  unauthenticated: ["invalid_grant", 400],
  token_invalid: ["invalid_grant", 400],
  token_expired: ["invalid_grant", 400],
  mfa_invalid: ["invalid_grant", 400],
  email_not_verified: ["invalid_grant", 400],
  csrf_rejected: ["invalid_request", 400],
  forbidden: ["invalid_grant", 400],
  reauthentication_required: ["invalid_grant", 400],
  account_disabled: ["invalid_grant", 400],
  not_found: ["invalid_request", 400],
  method_not_allowed: ["invalid_request", 400],
  email_taken: ["invalid_request", 400],
  account_exists: ["invalid_grant", 400],
  payload_too_large: ["invalid_request", 413],
  unsupported_media_type: ["invalid_request", 415],
  rate_limited: ["slow_down", 429],
  internal: ["server_error", 500],
  unavailable: ["temporarily_unavailable", 503],
};

/**
 * RFC 6749 §5.2 allows only printable ASCII without `"` and `\` in `error_description`; our
 * messages may quote a value or echo one a client sent, so anything else is replaced.
 */
function describe(message: string): string {
  return message.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "?");
}

/** An OAuth error body with a description fit for the wire. */
export function oauthErrorBody(
  error: OAuthErrorCode,
  description: string,
  extra: { mfa_token?: string } = {},
): OAuthErrorBody {
  return { error, error_description: describe(description), ...extra };
}

/** A library failure as the token endpoints answer it: the status and the RFC 6749 body. */
export function asOAuthError(failure: AuthError): { status: number; body: OAuthErrorBody } {
  const [error, status] = AS_OAUTH[failure.code];
  return { status, body: oauthErrorBody(error, failure.message) };
}
