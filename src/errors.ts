/** Every failure a caller may need to tell apart, with the HTTP status it maps to. */
export const AUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  token_invalid: 401,
  token_expired: 401,
  email_not_verified: 403,
  csrf_rejected: 403,
  forbidden: 403,
  reauthentication_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

/** What a failure may carry besides its code and message. */
export interface AuthErrorDetails {
  /** Validation problems, for `invalid_request` (zod's issues, reduced to path and message). */
  issues?: { path: (string | number)[]; message: string }[];
  /** Seconds until a `rate_limited` caller may try again. */
  retryAfter?: number;
  /** Methods the path accepts, for `method_not_allowed`. */
  allow?: string[];
}

/**
 * The one error type the library throws on purpose. `code` is stable API; `message` is for humans
 * and stays vague where detail would help an attacker.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: number;
  readonly details: AuthErrorDetails;

  constructor(
    code: AuthErrorCode,
    message: string,
    details: AuthErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AuthError";
    this.code = code;
    this.status = AUTH_ERROR_STATUS[code];
    this.details = details;
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
