/*
 * The typed events of DESIGN §6: every flow that changes account security emits one, after the
 * change is stored, and everything operational (audit log, logs, metrics, webhooks) subscribes.
 * An event never carries a secret or a token: ids, addresses, methods and reasons only.
 */

/** How someone signed in. */
export type SignInMethod =
  | "password"
  | "magic_link"
  | "code"
  | "passkey"
  | "oauth"
  | "token"
  | "mfa";

/**
 * Why a sign-in failed, as recorded (never told to the caller, who always hears
 * `invalid_credentials`): `unknown_account` and `wrong_password` are told apart only here.
 */
export type SignInFailureReason =
  | "unknown_account"
  | "wrong_password"
  | "no_password"
  | "locked"
  | "email_not_verified"
  | "passkey_rejected"
  /** A second factor (TOTP code or recovery code) that was wrong, or already used. */
  | "wrong_second_factor"
  /** Every check passed, but an administrator disabled the account: no session was opened. */
  | "account_disabled";

/** Why a session ended. */
export type SessionEndReason =
  | "revoked"
  | "signed_out_elsewhere"
  | "password_changed"
  | "password_reset"
  | "address_proven"
  | "email_change_cancelled"
  | "account_deleted"
  | "refresh_token_reuse";

/** What every event has. */
export interface AuthEventBase {
  /** Unique per event: receivers deduplicate on it (webhooks are at least once). */
  id: string;
  /** ISO 8601. */
  at: string;
  /** The account concerned, whenever there is one (a failed sign-in on an existing one too). */
  userId?: string;
  ip?: string;
  userAgent?: string;
}

/** The type-specific fields of each event, by type. */
export interface AuthEventFields {
  "user.registered": { method: "password" | "passkey" | "magic_link" | "oauth"; email: string };
  "user.signed_in": {
    /** `mfa` for a sign-in completed by a second factor; `firstFactor` then says how it began. */
    method: SignInMethod;
    sessionId: string;
    /** With `method: "mfa"`: the first factor of the sign-in (password, magic_link...). */
    firstFactor?: SignInMethod;
    /** With `method: "mfa"`: what completed it. */
    secondFactor?: "totp" | "recovery_code";
  };
  "user.sign_in_failed": { method: SignInMethod; reason: SignInFailureReason };
  "user.locked_out": { until: string; consecutiveFailures: number };
  "user.signed_out": { sessionId: string };
  "session.revoked": { sessionIds: string[]; reason: SessionEndReason };
  "password.changed": Record<string, never>;
  "password.reset_requested": Record<string, never>;
  "password.reset": Record<string, never>;
  "email.verified": {
    email: string;
    /** True when the proof evicted every earlier credential (someone else held the account). */
    evictedCredentials: boolean;
  };
  "email.change_requested": { from: string; to: string };
  "email.changed": { from: string; to: string; reverted?: boolean };
  "passkey.added": { passkeyId: string };
  "passkey.removed": { passkeyId: string };
  "passkey.clone_suspected": { passkeyId: string; storedCounter: number; presentedCounter: number };
  "mfa.enabled": Record<string, never>;
  /**
   * `by`: the user turned it off; an operator reset it (`auth.api.admin.resetMfa`); or the first
   * proof of an unverified address removed what a squatter had set up (`address_proven`).
   */
  "mfa.disabled": { by: "user" | "admin" | "address_proven" };
  "mfa.recovery_code_used": { remaining: number };
  /** The user replaced every recovery code (`POST /auth/mfa/recovery-codes`): `count` new ones. */
  "mfa.recovery_codes_regenerated": { count: number };
  "oauth.linked": { provider: string };
  /** The user unlinked an identity from their account (`DELETE /auth/oauth/accounts/:id`). */
  "oauth.unlinked": { provider: string };
  "refresh_token.reuse_detected": { familyId: string; sessionId: string };
  /** By an administrator (`auth.api.admin.disableUser`, `/auth/admin/*`). */
  "user.disabled": { by: "admin" };
  "user.enabled": { by: "admin" };
  /**
   * `by: "user"` for the account's own `DELETE /auth/account`, `"admin"` for
   * `auth.api.admin.deleteUser`; absent for `auth.api.deleteAccount` (your server code).
   */
  "user.deleted": { by?: "user" | "admin" };
  "mail.dead_lettered": { messageId: string; mailType: string; attempts: number; error: string };
}

/** Every event type, a closed set. */
export type AuthEventType = keyof AuthEventFields;

/** One event of type `T`. */
export type AuthEventOf<T extends AuthEventType> = AuthEventBase & { type: T } & AuthEventFields[T];

/** Any event: a discriminated union on `type`. */
export type AuthEvent = { [T in AuthEventType]: AuthEventOf<T> }[AuthEventType];

export const AUTH_EVENT_TYPES = [
  "user.registered",
  "user.signed_in",
  "user.sign_in_failed",
  "user.locked_out",
  "user.signed_out",
  "session.revoked",
  "password.changed",
  "password.reset_requested",
  "password.reset",
  "email.verified",
  "email.change_requested",
  "email.changed",
  "passkey.added",
  "passkey.removed",
  "passkey.clone_suspected",
  "mfa.enabled",
  "mfa.disabled",
  "mfa.recovery_code_used",
  "mfa.recovery_codes_regenerated",
  "oauth.linked",
  "oauth.unlinked",
  "refresh_token.reuse_detected",
  "user.disabled",
  "user.enabled",
  "user.deleted",
  "mail.dead_lettered",
] as const satisfies readonly AuthEventType[];

/** A listener of events of type `T`; it may be async, and a throw never fails the request. */
export type AuthEventListener<T extends AuthEventType = AuthEventType> = (
  event: AuthEventOf<T>,
) => void | Promise<void>;

/** A listener of every event (`"*"`): it gets the union, narrowed by `event.type`. */
export type AnyAuthEventListener = (event: AuthEvent) => void | Promise<void>;

/** `createAuth({ on })`: listeners by event type, or `"*"` for every event. */
export type AuthEventListeners = {
  [T in AuthEventType]?: AuthEventListener<T>;
} & { "*"?: AnyAuthEventListener };
