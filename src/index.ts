import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import type { z } from "zod";
import type { AddressProver } from "./accounts/account-recovery.js";
import { type AuthOptions, isProduction, resolveConfig } from "./config/config.js";
import { buildContext } from "./context/build-context.js";
import {
  type AuthenticateOptions,
  requestAuthenticator,
} from "./credentials/authenticate-request.js";
import { deleteAccount, updateUser, type updateUserInput } from "./flows/account.js";
import { findUsers, type findUsersInput, type UserPage } from "./flows/admin-find-users.js";
import { type AdminStats, adminStats } from "./flows/admin-stats.js";
import {
  type AdminUserDetails,
  deleteUser,
  disableUser,
  enableUser,
  getUser,
  revokeAllUserSessions,
} from "./flows/admin-users.js";
import {
  type CancelledEmailChange,
  cancelEmailChange,
  confirmEmailChange,
  type emailChangeInput,
  requestEmailChange,
} from "./flows/email-change.js";
import {
  requestEmailVerification,
  type VerificationOpener,
  verifyEmail,
} from "./flows/email-verification.js";
import { type ImportReport, importUsers, type importUsersOptions } from "./flows/import-users.js";
import {
  type loginCodeInput,
  type MagicSignIn,
  type magicLinkInput,
  requestMagicLink,
  verifyLoginCode,
  verifyMagicLink,
} from "./flows/magic-link.js";
import {
  disableMfa,
  type disableMfaInput,
  enableTotp,
  type enableTotpInput,
  getMfaStatus,
  type MfaSignIn,
  type MfaStatus,
  regenerateRecoveryCodes,
  type regenerateRecoveryCodesInput,
  setupTotp,
  type TotpSetup,
  verifyMfa,
  type verifyMfaInput,
} from "./flows/mfa.js";
import { resetMfa } from "./flows/mfa-admin.js";
import {
  changePassword,
  type changePasswordInput,
  login,
  type loginInput,
  type Registered,
  register,
  type registerInput,
  type SignedIn,
  type SignInResult,
} from "./flows/password-accounts.js";
import {
  forgotPassword,
  type forgotPasswordInput,
  resetPassword,
  type resetPasswordInput,
} from "./flows/password-reset.js";
import { type AuthHandler, createHandler } from "./http/handler.js";
import { routes } from "./http/routes/index.js";
import type { SecondFactorRequired } from "./mfa/pending-step.js";
import type { LinkedAccount } from "./oauth/linking.js";
import { listLinkedAccounts, unlinkAccount } from "./oauth/manage.js";
import { getOAuthTokens, type OAuthTokens } from "./oauth/stored-tokens.js";
import {
  type AuditEventPage,
  listAuditEvents,
  type listAuditEventsInput,
} from "./ops/audit-log.js";
import { type PurgeResult, purgeExpired } from "./ops/purge.js";
import type { DeadLetter, FlushResult } from "./outbox/outbox.js";
import {
  type loginOptionsInput,
  passkeyLoginOptions,
  verifyPasskeyLogin,
} from "./passkeys/login.js";
import { deletePasskey, listPasskeys, renamePasskey } from "./passkeys/manage.js";
import type { Passkey } from "./passkeys/passkey.js";
import { passkeyRegistrationOptions, verifyPasskeyRegistration } from "./passkeys/registration.js";
import { passkeySignUpOptions, type signUpInput, verifyPasskeySignUp } from "./passkeys/sign-up.js";
import {
  listSessions,
  revokeSession,
  revokeUserSessions,
  signOutByToken,
  validateSessionToken,
} from "./sessions/sessions.js";
import { verifyOwnAccessToken } from "./tokens/access-token.js";
import {
  issueTokensForSession,
  passwordGrant,
  type passwordGrantInput,
  refreshGrant,
  type TokenSet,
} from "./tokens/grants.js";
import { mfaOtpGrant, type mfaOtpGrantInput } from "./tokens/mfa-grant.js";
import { revokeToken } from "./tokens/revoke.js";
import type { AuthResult, RequestInfo, Session, User } from "./types.js";
import { AUTHENTICATE_NOW } from "./util/authenticate-now.js";
import type { HeadersInput } from "./util/headers.js";
import { logError } from "./util/logger.js";
import type { AccessTokenClaims } from "./verify/claims.js";

export type { AddressProver } from "./accounts/account-recovery.js";
export {
  type AuthConfig,
  type AuthOptions,
  ConfigError,
  type ConfigIssue,
  type ResolvedConfig,
} from "./config/config.js";
export type { OAuthOptions, WebhookEndpoint } from "./config/options.js";
export type { TokenAlgorithm } from "./config/token-options.js";
export type { AuthenticateOptions } from "./credentials/authenticate-request.js";
export {
  AUTH_ERROR_STATUS,
  AuthError,
  type AuthErrorCode,
  errorBody,
  isAuthError,
} from "./errors.js";
export type {
  AnyAuthEventListener,
  AuthEvent,
  AuthEventListener,
  AuthEventListeners,
  AuthEventOf,
  AuthEventType,
  SessionEndReason,
  SignInFailureReason,
  SignInMethod,
} from "./events/events.js";
export { AUTH_EVENT_TYPES } from "./events/events.js";
export type { UserPage } from "./flows/admin-find-users.js";
export type { AdminStats, UserStats } from "./flows/admin-stats.js";
export type { AdminUserDetails } from "./flows/admin-users.js";
export type { CancelledEmailChange } from "./flows/email-change.js";
export type { VerificationOpener } from "./flows/email-verification.js";
export type {
  ImportIssue,
  ImportReport,
  ImportRowResult,
  ImportStatus,
} from "./flows/import-users.js";
export type { MagicSignIn } from "./flows/magic-link.js";
export type { MfaSignIn, MfaStatus, TotpSetup } from "./flows/mfa.js";
export type { Registered, SignedIn, SignInResult } from "./flows/password-accounts.js";
export type { AuthHandler, HandlerOptions } from "./http/handler.js";
export { type ConsoleMailerOptions, consoleMailer } from "./mail/console-mailer.js";
export { escapeHtml, html } from "./mail/escape.js";
export type { Mailer, MailMessage, MailType } from "./mail/message.js";
export {
  defaultTemplates,
  type MailTemplate,
  type MailTemplates,
  type RenderedMail,
  type TemplateData,
} from "./mail/templates.js";
export type { SecondFactorRequired } from "./mfa/pending-step.js";
export type { LinkedAccount } from "./oauth/linking.js";
export type { OAuthTokens } from "./oauth/stored-tokens.js";
export type {
  OAuth2Server,
  OAuthProfile,
  OAuthProfileSource,
  OAuthProvider,
  OidcServer,
} from "./oauth-providers/provider.js";
export type { AuditEventPage } from "./ops/audit-log.js";
export { type PurgeResult, schedulePurge } from "./ops/purge.js";
export type { DeliveryKind, WebhookDelivery } from "./outbox/delivery.js";
export type { DeadLetter, FlushResult } from "./outbox/outbox.js";
export type { Passkey } from "./passkeys/passkey.js";
export { type Argon2idOptions, argon2id, verifyArgon2id } from "./password/argon2id.js";
export type { PasswordHasher } from "./password/hasher.js";
export { passwordHashing } from "./password/hashing.js";
export { type Pbkdf2Options, pbkdf2, verifyPbkdf2 } from "./password/pbkdf2.js";
export {
  checkPassword,
  normalizePassword,
  type PasswordCheck,
  type PasswordPolicyOptions,
  type PasswordRejection,
} from "./password/policy.js";

import type { AnyAuthEventListener, AuthEventListener, AuthEventType } from "./events/events.js";

export { memoryStorage } from "./cache/memory-storage.js";
export type * from "./storage/ports.js";
export type { TokenSet } from "./tokens/grants.js";
export type { AuthResult, RequestInfo, Session, User } from "./types.js";
export type { HeadersInput } from "./util/headers.js";
export { safeRedirectPath } from "./util/safe-path.js";
export type { AccessTokenClaims } from "./verify/claims.js";

/**
 * Every flow, callable without HTTP (from a server action, a job, a test). Inputs are typed by
 * the schemas the flows parse them with (`z.input<...>`), the ones the HTTP routes check bodies
 * with too; each flow still validates what it is given. The WebAuthn responses stay `unknown`:
 * @simplewebauthn's `RegistrationResponseJSON` and `AuthenticationResponseJSON` are interfaces
 * without index signatures, which the schemas' loose input types would refuse.
 */
export interface AuthApi {
  register(input: z.input<typeof registerInput>, info?: RequestInfo): Promise<Registered>;
  /**
   * Checks the email and password and opens a session, or for an account with MFA stops at the
   * pending step: `{ mfaRequired: true, mfaToken, expiresAt }`, completed by `verifyMfa`. Every
   * sign-in function answers this way (`SignInResult`): tell them apart by `mfaRequired`.
   */
  login(input: z.input<typeof loginInput>, info?: RequestInfo): Promise<SignInResult>;
  /** The session behind a session token, or null. */
  getSession(token: string): Promise<AuthResult | null>;
  /** Revokes the session behind a token; unknown tokens are ignored. */
  logout(token: string): Promise<void>;
  listSessions(userId: string): Promise<Session[]>;
  /** False when the user has no such session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  /** Revokes every session of the user but `exceptSessionId`; returns the revoked ids. */
  revokeUserSessions(userId: string, exceptSessionId?: string): Promise<string[]>;
  /**
   * Changes a user's `name` (null clears it) and/or `metadata`, the app's own JSON object about
   * the user (replaced whole; a plain JSON object of at most 16 KB, else `invalid_request`).
   * Server code only: over HTTP a user changes only their own name (`PATCH /auth/account`).
   * Throws `not_found` for an unknown user.
   */
  updateUser(userId: string, input: z.input<typeof updateUserInput>): Promise<User>;
  /**
   * Deletes the user and everything that belongs to it: sessions (revoked first, so its access
   * and refresh tokens fail at once), passkeys, password, pending tokens. No step-up: server code
   * is trusted to have checked who asked (`DELETE /auth/account` asks the user for a fresh
   * sign-in). Throws `not_found` for an unknown user.
   */
  deleteAccount(userId: string): Promise<void>;
  changePassword(
    auth: { userId: string; sessionId: string },
    input: z.input<typeof changePasswordInput>,
    info?: RequestInfo,
  ): Promise<void>;
  /** WebAuthn creation options for a signed-in user adding a passkey. */
  passkeyRegistrationOptions(
    userId: string,
    info?: RequestInfo,
  ): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies `RegistrationResponseJSON` (or `{ response, name }`) and stores the passkey. */
  verifyPasskeyRegistration(userId: string, input: unknown, info?: RequestInfo): Promise<Passkey>;
  /** With `passkey.signUp`: creation options for a new account `{ email, name? }`. */
  passkeySignUpOptions(
    input: z.input<typeof signUpInput>,
    info?: RequestInfo,
  ): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** With `passkey.signUp`: verifies the passkey, creates the account, opens a session. */
  verifyPasskeySignUp(input: unknown, info?: RequestInfo): Promise<SignedIn & { passkey: Passkey }>;
  /** WebAuthn request options; without an email, for discoverable (usernameless) sign-in. */
  passkeyLoginOptions(
    input?: z.input<typeof loginOptionsInput>,
    info?: RequestInfo,
  ): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /**
   * Verifies `AuthenticationResponseJSON` and opens a session like a password login. With MFA
   * on, a passkey with user verification (PIN, biometric) signs in directly: it is two factors;
   * one without stops at the pending step, as a password does.
   */
  verifyPasskeyLogin(input: unknown, info?: RequestInfo): Promise<SignInResult>;
  listPasskeys(userId: string): Promise<Passkey[]>;
  /** Throws `not_found` when the user has no such passkey. */
  renamePasskey(userId: string, passkeyId: string, name: string | null): Promise<Passkey>;
  /** Throws `not_found`, or `forbidden` when it is the user's last way to sign in. */
  deletePasskey(userId: string, passkeyId: string): Promise<void>;
  /** Mails a sign-in link, or with `type: "code"` a 6-digit code; same outcome for unknown emails. */
  requestMagicLink(input: z.input<typeof magicLinkInput>, info?: RequestInfo): Promise<void>;
  /**
   * Uses a magic link's token (single-use); opens a session, says where to send the browser.
   * Pass the caller's current session as `prover` when there is one: a first proof of an
   * unverified address by anyone else evicts every credential made before it.
   */
  verifyMagicLink(
    input: { token: string; redirectTo?: string | null },
    info?: RequestInfo,
    prover?: AddressProver,
  ): Promise<MagicSignIn>;
  /** Signs in with a mailed 6-digit code; a few guesses per code at most. `prover`: as above. */
  verifyLoginCode(
    input: z.input<typeof loginCodeInput>,
    info?: RequestInfo,
    prover?: AddressProver,
  ): Promise<SignInResult>;
  /** Mails a reset link when the account exists; same outcome when it does not. */
  forgotPassword(input: z.input<typeof forgotPasswordInput>, info?: RequestInfo): Promise<void>;
  /**
   * Sets a new password with a reset token, revokes every session and refresh token of the user
   * and voids every pending token (an email change included). `prover`: as for magic links.
   */
  resetPassword(
    input: z.input<typeof resetPasswordInput>,
    info?: RequestInfo,
    prover?: AddressProver,
  ): Promise<void>;
  /** Mails (again) the verification link to a signed-in, unverified user. */
  requestEmailVerification(userId: string, info?: RequestInfo): Promise<void>;
  /**
   * Uses a verification token; returns the verified user. `opener` says who opened the link
   * (their session, or the registration binding from `register`); opened by anyone else, the
   * first verification evicts every credential made before it.
   */
  verifyEmail(token: string, opener?: VerificationOpener): Promise<User>;
  /** Mails a confirmation link to the new address (current password, or a fresh session). */
  requestEmailChange(
    auth: { userId: string; sessionCreatedAt: Date },
    input: z.input<typeof emailChangeInput>,
    info?: RequestInfo,
  ): Promise<void>;
  /** Uses an email-change token: moves the account, mails the old address an undo link. */
  confirmEmailChange(token: string): Promise<User>;
  /** Uses the link mailed to the old address: stops a pending change, or undoes a confirmed one. */
  cancelEmailChange(token: string): Promise<CancelledEmailChange>;
  /**
   * Waits for deliveries under way, then tries every queued delivery that is due, mail and
   * webhooks alike (due by the `clock` option: retries back off from the last failure).
   */
  flushOutbox(): Promise<FlushResult>;
  /** Flushes the outbox every `intervalMs` (default 30 s, unref'd); returns the stop function. */
  startOutbox(options?: { intervalMs?: number }): () => void;
  stopOutbox(): void;
  /** Deliveries the outbox gave up on (mail and webhooks, by `kind`), most recent first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Deletes expired sessions, tokens and counters; run it now and then (see `schedulePurge`). */
  purgeExpired(): Promise<PurgeResult>;
  /**
   * Creates users with the password hashes another stack stored (bcrypt, Django, passlib,
   * werkzeug, Argon2...), as `portcullis import` does: rows `{ email, passwordHash?,
   * emailVerified?, name?, createdAt? }`, each validated and reported (`imported`, `exists`,
   * `failed` with its issues), each written whole or not at all. An existing email is left
   * alone, so a re-run imports only what is missing. `dryRun: true` writes nothing. No events.
   */
  importUsers(
    rows: Iterable<unknown> | AsyncIterable<unknown>,
    options?: z.input<typeof importUsersOptions>,
  ): Promise<ImportReport>;
  /**
   * `grant_type=password`: checks like `login`, opens a session, returns access + refresh token;
   * for an account with MFA the pending step instead, completed by `issueTokensWithMfa`.
   */
  issueTokens(
    input: z.input<typeof passwordGrantInput>,
    info?: RequestInfo,
  ): Promise<TokenSet | SecondFactorRequired>;
  /**
   * `grant_type=mfa_otp`: completes the pending step of `issueTokens` with
   * `{ mfa_token, otp }` or `{ mfa_token, recovery_code }`; returns the token set.
   */
  issueTokensWithMfa(
    input: z.input<typeof mfaOtpGrantInput>,
    info?: RequestInfo,
  ): Promise<TokenSet>;
  /** Access + refresh token bound to an existing live session (e.g. after a passkey sign-in). */
  issueTokensForSession(session: { userId: string; sessionId: string }): Promise<TokenSet>;
  /** `grant_type=refresh_token`: rotates the refresh token; a reused one revokes its family. */
  refreshTokens(refreshToken: string, info?: RequestInfo): Promise<TokenSet>;
  /** RFC 7009: ends the session behind any token we issued; unknown tokens are ignored. */
  revokeToken(token: string): Promise<void>;
  /**
   * Verifies an access token with this instance's keys; with `checkRevocation`, a token whose
   * session was revoked, has expired or no longer exists fails too. Throws `AuthError`
   * `token_invalid` or `token_expired`.
   */
  verifyAccessToken(
    token: string,
    options?: { checkRevocation?: boolean },
  ): Promise<AccessTokenClaims>;
  /** The public keys, as served at `GET /auth/jwks`. */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
  /**
   * Two-factor authentication (DESIGN §7), server code trusted like `deleteAccount`: the HTTP
   * routes ask for a fresh session (or the password) before `setupTotp` and `enableTotp`.
   * Makes a TOTP secret and stores it as pending: `{ secret, uri }` (base32 and otpauth://),
   * shown once. A new set-up replaces an unconfirmed one; MFA changes only at `enableTotp`.
   */
  setupTotp(userId: string, info?: RequestInfo): Promise<TotpSetup>;
  /**
   * Confirms the pending secret with its current `code` and turns MFA on; returns 10 recovery
   * codes, shown once. Emits `mfa.enabled`. `mfa_invalid` for a wrong code.
   */
  enableTotp(
    userId: string,
    input: z.input<typeof enableTotpInput>,
    info?: RequestInfo,
  ): Promise<{ recoveryCodes: string[] }>;
  /** Turns MFA off with `{ code }` or `{ recoveryCode }`. Emits `mfa.disabled`. */
  disableMfa(
    userId: string,
    input: z.input<typeof disableMfaInput>,
    info?: RequestInfo,
  ): Promise<void>;
  /** 10 new recovery codes (the old ones stop working) after a valid `{ code }`. */
  regenerateRecoveryCodes(
    userId: string,
    input: z.input<typeof regenerateRecoveryCodesInput>,
    info?: RequestInfo,
  ): Promise<{ recoveryCodes: string[] }>;
  /**
   * Completes a sign-in that stopped at the pending step: `{ mfaToken, code }` or
   * `{ mfaToken, recoveryCode }`; opens the session. After a recovery code, says how many remain.
   */
  verifyMfa(input: z.input<typeof verifyMfaInput>, info?: RequestInfo): Promise<MfaSignIn>;
  /** Whether MFA is on, since when, and how many recovery codes remain. */
  getMfaStatus(userId: string): Promise<MfaStatus>;
  /** The user's identities linked by social sign-in (`oauth`), oldest first. */
  listLinkedAccounts(userId: string): Promise<LinkedAccount[]>;
  /**
   * Unlinks one of them. Throws `not_found`, or `forbidden` when it is the user's last way to
   * sign in (no password, no passkey, no other identity, and magic links off).
   */
  unlinkAccount(userId: string, accountId: string): Promise<void>;
  /**
   * With `oauth.storeTokens`: the provider's tokens kept with the identity (decrypted), or null
   * when none were kept. Throws `not_found` when the user has no such identity.
   */
  getOAuthTokens(userId: string, accountId: string): Promise<OAuthTokens | null>;
  /** Administration: server code only, trusted to have checked who asked. */
  admin: AdminApi;
}

/**
 * `auth.api.admin`: what an operator does to accounts and reads about them. The same over HTTP
 * under `/auth/admin/*` with the `admin` option. Events carry the request's address when there
 * is one (`info`), and name the account acted on.
 */
export interface AdminApi {
  /**
   * Counts for a dashboard: `users` (`total`, `verified`, `disabled`, `signUpsLast24h`,
   * `signUpsLast7d`) and `activeSessions` (live sessions), each null when the store cannot count
   * it cheaply (Redis sessions: `activeSessions` is null).
   */
  stats(): Promise<AdminStats>;
  /**
   * Users whose email starts with `query` (case-insensitive, taken literally; `""` lists all),
   * ordered by email, `limit` 1 to 200 (default 50) at a time: `{ users, nextCursor }`. Pass
   * `nextCursor` back as `cursor`, with the same query, for the next page (null: last page).
   */
  findUsers(input?: z.input<typeof findUsersInput>): Promise<UserPage>;
  /**
   * One account with what an administrator asks first: live session and passkey counts,
   * whether it has a password, its last sign-in (from the audit log). `not_found` if unknown.
   */
  getUser(userId: string): Promise<AdminUserDetails>;
  /**
   * Disables the account: it signs in by no method (`403 account_disabled`), and every session,
   * refresh token, access JWT and mailed link or code it holds stops working at once. Returns
   * the user with `disabledAt` set; `not_found` if unknown. Emits `user.disabled`.
   */
  disableUser(userId: string, info?: RequestInfo): Promise<User>;
  /** Lets a disabled account sign in again (afresh). Emits `user.enabled`. */
  enableUser(userId: string, info?: RequestInfo): Promise<User>;
  /** Ends every session of the account (tokens included); returns their ids. `not_found` if unknown. */
  revokeUserSessions(userId: string): Promise<string[]>;
  /**
   * Deletes the account and everything of it in every store (sessions in Redis included): the
   * same as `auth.api.deleteAccount`. Its audit records stay. Emits `user.deleted`.
   */
  deleteUser(userId: string, info?: RequestInfo): Promise<void>;
  /**
   * The audit log, newest first, a page at a time: `{ events, nextCursor }`, each event in the
   * shape listeners get. Filters: `userId`, `type`, `since` (inclusive) and `until` (exclusive),
   * as Dates or ISO 8601 strings; `limit` 1 to 200 (default 50); `cursor` the previous page's
   * `nextCursor` (a page is never repeated nor skipped by events appended meanwhile). Records of
   * a deleted account stay until `audit.retentionDays` passes.
   */
  listAuditEvents(input?: z.input<typeof listAuditEventsInput>): Promise<AuditEventPage>;
  /**
   * Turns a user's MFA off (lost authenticator and recovery codes), after the operator checked
   * who asks by their own means: the second factor, its codes and pending sign-in steps go, and
   * the failure count is cleared. Emits `mfa.disabled` with `by: "admin"` when MFA was on (the
   * audit log records it); returns whether it was. `not_found` for an unknown user.
   */
  resetMfa(userId: string, info?: RequestInfo): Promise<boolean>;
}

export interface Auth {
  /** Serves every route below `basePath`. Adapters pass the socket address as `clientIP`. */
  handler: AuthHandler;
  /**
   * Who is calling: from the session cookie or an `Authorization: Bearer` token. Fails closed:
   * any doubt, a storage failure included, is `null`, never a throw. To tell "nobody" from
   * "cannot tell" (storage down: answer 503, not "signed out"), pass
   * `{ onUnavailable: "throw" }`: an outage then rejects with `AuthError("unavailable")`.
   * Failures are logged once per kind per 30 seconds, not once per request.
   */
  authenticate(headers: HeadersInput, options?: AuthenticateOptions): Promise<AuthResult | null>;
  api: AuthApi;
  /**
   * Resolves once the instance can serve everything (token keys imported: key import is
   * async); rejects with the `ConfigError` that stops it. Until then whatever needs the keys
   * waits, and after a failure it answers `503 unavailable`. Await it at start to fail early.
   */
  ready(): Promise<void>;
  /**
   * Subscribes to security events of `type` (or `"*"` for all): the same as the `on` option.
   * Listeners run after the change is stored; a throw is logged, never fails the request.
   * Returns the function that unsubscribes.
   */
  on: {
    <T extends AuthEventType>(type: T, listener: AuthEventListener<T>): () => void;
    (type: "*", listener: AnyAuthEventListener): () => void;
  };
  /**
   * This instance's metrics in the Prometheus text exposition format 0.0.4: sign-ins, sign-ups,
   * lockouts, 429s, mail and webhook outcomes, handler latency by route, and the outbox backlog
   * (read from storage, hence async). Served at `GET /auth/metrics` with the `metrics.token`
   * option; to serve it yourself, send it with the content type
   * `text/plain; version=0.0.4; charset=utf-8`.
   */
  metrics(): Promise<string>;
  /** Where the instance lives, for adapters: never its secret, storage or mailer. */
  config: AuthInfo;
}

/** What adapters and apps may read of an instance: its place on the web, nothing secret. */
export interface AuthInfo {
  readonly baseURL: string;
  /** The routes' prefix, e.g. `/auth`. */
  readonly basePath: string;
  /** baseURL's origin, e.g. `https://app.example.com`. */
  readonly origin: string;
  /** The session cookie's name, with its `__Host-` prefix when it has one. */
  readonly cookieName: string;
  /** Whether cookies are Secure (baseURL is https). */
  readonly secure: boolean;
}

/** Validates the options once, then builds the handler, the guard and the API over them. */
export function createAuth(options: AuthOptions): Auth {
  const config = resolveConfig(options);
  const ctx = buildContext(config, config.on);
  // A key that cannot be imported is reported at start, not at the first token.
  ctx.readiness.ready.catch((error) => logError(config.logger, "cannot start", error));
  announceStart(config);

  const api: AuthApi = {
    register: (input, info) => register(ctx, input, info),
    login: (input, info) => login(ctx, input, info),
    getSession: (token) => validateSessionToken(ctx, token),
    logout: (token) => signOutByToken(ctx, token),
    listSessions: (userId) => listSessions(ctx, userId),
    revokeSession: (userId, sessionId) => revokeSession(ctx, userId, sessionId),
    revokeUserSessions: (userId, exceptSessionId) =>
      revokeUserSessions(ctx, userId, exceptSessionId),
    updateUser: (userId, input) => updateUser(ctx, userId, input),
    deleteAccount: (userId) => deleteAccount(ctx, userId),
    listLinkedAccounts: (userId) => listLinkedAccounts(ctx, userId),
    unlinkAccount: (userId, accountId) => unlinkAccount(ctx, userId, accountId),
    getOAuthTokens: (userId, accountId) => getOAuthTokens(ctx, userId, accountId),
    changePassword: (auth, input, info) => changePassword(ctx, auth, input, info),
    passkeyRegistrationOptions: (userId, info) => passkeyRegistrationOptions(ctx, userId, info),
    verifyPasskeyRegistration: (userId, input, info) =>
      verifyPasskeyRegistration(ctx, userId, input, info),
    passkeySignUpOptions: (input, info) => passkeySignUpOptions(ctx, input, info),
    verifyPasskeySignUp: (input, info) => verifyPasskeySignUp(ctx, input, info),
    passkeyLoginOptions: (input, info) => passkeyLoginOptions(ctx, input, info),
    verifyPasskeyLogin: (input, info) => verifyPasskeyLogin(ctx, input, info),
    listPasskeys: (userId) => listPasskeys(ctx, userId),
    renamePasskey: (userId, passkeyId, name) => renamePasskey(ctx, userId, passkeyId, { name }),
    deletePasskey: (userId, passkeyId) => deletePasskey(ctx, userId, passkeyId),
    requestMagicLink: (input, info) => requestMagicLink(ctx, input, info),
    verifyMagicLink: (input, info, prover) => verifyMagicLink(ctx, input, info, prover),
    verifyLoginCode: (input, info, prover) => verifyLoginCode(ctx, input, info, prover),
    forgotPassword: (input, info) => forgotPassword(ctx, input, info),
    resetPassword: (input, info, prover) => resetPassword(ctx, input, info, prover),
    requestEmailVerification: (userId, info) => requestEmailVerification(ctx, userId, info),
    verifyEmail: (token, opener) => verifyEmail(ctx, token, opener),
    requestEmailChange: (auth, input, info) => requestEmailChange(ctx, auth, input, info),
    confirmEmailChange: (token) => confirmEmailChange(ctx, token),
    cancelEmailChange: (token) => cancelEmailChange(ctx, token),
    flushOutbox: () => ctx.outbox.flush(),
    startOutbox: (options) => ctx.outbox.start(options),
    stopOutbox: () => ctx.outbox.stop(),
    deadLetters: (limit) => ctx.outbox.deadLetters(limit),
    purgeExpired: () => purgeExpired(ctx),
    importUsers: (rows, options) => importUsers(ctx, rows, options),
    issueTokens: (input, info) => passwordGrant(ctx, input, info),
    issueTokensForSession: (session) => issueTokensForSession(ctx, session),
    issueTokensWithMfa: (input, info) => mfaOtpGrant(ctx, input, info),
    refreshTokens: (refreshToken, info) => refreshGrant(ctx, { refresh_token: refreshToken }, info),
    revokeToken: (token) => revokeToken(ctx, token),
    verifyAccessToken: (token, options) => verifyOwnAccessToken(ctx, token, options),
    jwks: async () => structuredClone((await ctx.keys).jwks) as { keys: Record<string, unknown>[] },
    setupTotp: (userId, info) => setupTotp(ctx, userId, info),
    enableTotp: (userId, input, info) => enableTotp(ctx, userId, input, info),
    disableMfa: (userId, input, info) => disableMfa(ctx, userId, input, info),
    regenerateRecoveryCodes: (userId, input, info) =>
      regenerateRecoveryCodes(ctx, userId, input, info),
    verifyMfa: (input, info) => verifyMfa(ctx, input, info),
    getMfaStatus: (userId) => getMfaStatus(ctx, userId),
    admin: {
      stats: () => adminStats(ctx),
      findUsers: (input) => findUsers(ctx, input),
      getUser: (userId) => getUser(ctx, userId),
      disableUser: (userId, info) => disableUser(ctx, userId, info),
      enableUser: (userId, info) => enableUser(ctx, userId, info),
      revokeUserSessions: (userId) => revokeAllUserSessions(ctx, userId),
      deleteUser: (userId, info) => deleteUser(ctx, userId, info),
      listAuditEvents: (input) => listAuditEvents(ctx, input),
      resetMfa: (userId, info) => resetMfa(ctx, userId, info),
    },
  };

  // Fails closed, but not silently, and with a way to tell an outage from "nobody".
  const { authenticate, authenticateNow } = requestAuthenticator(ctx);
  const auth: Auth = {
    handler: createHandler(ctx, routes),
    authenticate,
    api,
    ready: () => ctx.readiness.ready,
    on: ctx.events.on,
    metrics: () => ctx.metrics.expose(),
    config: Object.freeze({
      baseURL: config.baseURL,
      basePath: config.basePath,
      origin: config.origin,
      cookieName: config.cookieName,
      secure: config.secure,
    }),
  };
  // For the framework guards only (src/util/authenticate-now.ts): not part of the public API.
  Object.defineProperty(auth, AUTHENTICATE_NOW, { value: authenticateNow });
  return auth;
}

/**
 * One line at start saying what is on, so a deploy's log answers "why is there no magic link"
 * without reading the code; email features off for want of a mailer in production are a warning.
 */
function announceStart(config: ReturnType<typeof resolveConfig>): void {
  const features = Object.entries(config.emailFeatures);
  const off = features.filter(([, on]) => !on).map(([name]) => name);
  config.logger.info(
    {
      baseURL: config.baseURL,
      mailer: config.mailer ? "configured" : off.length === features.length ? "none" : "console",
      emailFeaturesOff: off,
      trustedProxies: config.trustedProxies,
      passkeyRpID: config.passkey.rpID,
      tokens: config.tokens.algorithm,
    },
    "portcullis started",
  );
  if (!config.mailer && off.length > 0 && isProduction(config.baseURL)) {
    config.logger.warn(
      { emailFeaturesOff: off },
      "no mailer in production: these email routes answer 404; pass mailer (e.g. smtpMailer) to turn them on",
    );
  }
}
