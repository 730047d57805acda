/** Every failure a caller may need to tell apart, with the HTTP status it maps to. */
export const AUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  token_invalid: 401,
  token_expired: 401,
  /** A second factor (TOTP code or recovery code) that is wrong or was used already. */
  mfa_invalid: 401,
  email_not_verified: 403,
  csrf_rejected: 403,
  forbidden: 403,
  reauthentication_required: 403,
  account_disabled: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  /** An OAuth identity whose email belongs to an account it may not be linked to automatically. */
  account_exists: 409,
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
 * Marks an `AuthError`. `Symbol.for`, so that the ESM and the CJS build of the library (an app
 * can load both, through two dependencies) recognise each other's errors: `instanceof` alone
 * would say no across the two copies.
 */
const AUTH_ERROR = Symbol.for("portcullis.AuthError");

/**
 * The one error type the library throws on purpose. `code` is stable API; `message` is for humans
 * and stays vague where detail would help an attacker.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: number;
  readonly details: AuthErrorDetails;
  readonly [AUTH_ERROR] = true;

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

/** Whether `value` is an `AuthError`, from this copy of the library or another. */
export function isAuthError(value: unknown): value is AuthError {
  if (value instanceof AuthError) return true;
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { [AUTH_ERROR]?: unknown; code?: unknown };
  return (
    candidate[AUTH_ERROR] === true &&
    typeof candidate.code === "string" &&
    Object.hasOwn(AUTH_ERROR_STATUS, candidate.code)
  );
}

/** The messages of the errors adapters answer on their own, before the handler runs. */
const STANDARD_MESSAGES: Partial<Record<AuthErrorCode, string>> = {
  unauthenticated: "Not signed in",
  payload_too_large: "Request body is too large",
  unavailable: "Service unavailable; try again shortly",
};

/** The JSON body every failure answers with: `{ error: { code, message, issues? } }`. */
export function errorBody(error: AuthError | AuthErrorCode): {
  error: { code: AuthErrorCode; message: string; issues?: AuthErrorDetails["issues"] };
} {
  const failure =
    typeof error === "string"
      ? new AuthError(error, STANDARD_MESSAGES[error] ?? error.replaceAll("_", " "))
      : error;
  const body: { code: AuthErrorCode; message: string; issues?: AuthErrorDetails["issues"] } = {
    code: failure.code,
    message: failure.message,
  };
  if (failure.details.issues) body.issues = failure.details.issues;
  return { error: body };
}
