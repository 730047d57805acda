// What to tell a person for each Portcullis error code: the one map every page of this app uses,
// for a failed call (`error.code` of portcullis/client) and for `?error=<code>`, which a mail
// link that failed (used, expired) lands on. Unknown codes get the generic sentence: the page
// never repeats what the query says.

export const MESSAGES = {
  invalid_request: "Please check the form and try again.",
  invalid_credentials: "Wrong email or password.",
  unauthenticated: "Please sign in first.",
  token_invalid: "That link or code is not valid, or it was already used. Ask for a new one.",
  token_expired: "That link or code has expired. Ask for a new one.",
  mfa_invalid:
    "That code is not right, or it was already used. Enter the code your authenticator app shows now.",
  email_not_verified: "Please confirm your email address first: open the link we emailed you.",
  csrf_rejected: "This request was refused for your safety. Reload the page and try again.",
  forbidden: "You are not allowed to do that.",
  reauthentication_required:
    "For your safety, please sign in again (or enter your current password) to do that.",
  not_found: "That does not exist any more. Reload the page.",
  method_not_allowed: "That request was refused. Reload the page and try again.",
  email_taken: "An account with that email already exists. Sign in instead.",
  payload_too_large: "That was too much to send at once.",
  unsupported_media_type: "That request was refused. Reload the page and try again.",
  rate_limited: "Too many attempts. Please wait a little and try again.",
  account_disabled: "This account has been disabled.",
  internal: "Something went wrong on our side. Please try again.",
  unavailable: "The service is unavailable right now. Please try again in a moment.",
};

const GENERIC = "Something went wrong. Please try again.";

/**
 * The sentence for `code`; `overrides` reword a code where the page knows better (a wrong
 * current password on the password form is not a wrong "email or password").
 */
export function messageFor(code, overrides = {}) {
  if (Object.hasOwn(overrides, code)) return overrides[code];
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code] : GENERIC;
}

// Success notes a page can be sent to with `?notice=`.
export const NOTICES = {
  "password-reset": "Your password has been reset. Sign in with the new one.",
};
