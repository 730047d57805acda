import type { RandomSource } from "../crypto/random.js";
import type { AuthEventListeners, AuthEventType } from "../events/events.js";
import type { Mailer } from "../mail/message.js";
import type { MailTemplates } from "../mail/templates.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { Storage } from "../storage/ports.js";
import type { User } from "../types.js";
import type { Logger } from "../util/logger.js";
import type { TokenAlgorithm } from "./token-options.js";

/*
 * The public contract of `createAuth(options)`: every option, documented where editors show it.
 * The zod schema in schema.ts checks the values at startup; a compile-time check there fails
 * when this interface and the schema stop accepting exactly the same options.
 *
 * Durations are whole seconds unless the name says otherwise. Every object option is optional
 * and so is each of its fields: what is left out gets the default named in its comment. An
 * option that is not listed here is a `ConfigError` (usually a typo), at every level.
 */

/**
 * The options of `createAuth`. Only `storage` is required, and `baseURL` (and `secret` in
 * production), which may come from the environment instead: `AUTH_URL`, `AUTH_SECRET`.
 */
export interface AuthOptions {
  /**
   * Your app's origin, e.g. `https://app.example.com` (an absolute http(s) URL). Trusted for
   * CSRF and CORS, the issuer of access tokens, the base of every link in mail, and the default
   * passkey relying party. With `https`, cookies are `Secure` and get the `__Host-` prefix.
   * Required: left out, it is read from the `AUTH_URL` environment variable, else from
   * `BASE_URL` when that is an absolute http(s) URL (not a path such as Vite's `/`).
   * @default process.env.AUTH_URL ?? process.env.BASE_URL
   */
  baseURL?: string;
  /**
   * Where the handler's routes live: starts with `/`, does not end with one.
   * @default "/auth"
   */
  basePath?: string;
  /**
   * At least 32 bytes (UTF-8), e.g. from `npx portcullis secret`. Keys what needs a MAC, the
   * outbox encryption and, without `tokens.keys`, the token signing key. Left out, it is read
   * from the `AUTH_SECRET` environment variable. Required (here or there) when
   * `NODE_ENV=production`; elsewhere a random one is made, with a warning, and what it signed
   * dies with the process.
   * @default process.env.AUTH_SECRET
   */
  secret?: string;
  /**
   * Where accounts, sessions and every other record live: `memoryStorage()` (tests), a
   * database adapter, or a mix of ports, e.g.
   * `{ ...postgresStorage({ pool }), ...redisStorage(redis) }`. Every port must be covered.
   * Required: an adapter, not its factory (`memoryStorage()`, not `memoryStorage`) nor a URL.
   */
  storage: Storage;
  /**
   * Other origins (e.g. `https://admin.example.com`) allowed to make credentialed requests:
   * CORS with credentials, the CSRF check, and redirect targets. Each origin exactly: wildcards
   * (`"*"`, `https://*.example.com`) are refused.
   * @default []
   */
  trustedOrigins?: string[];
  /**
   * Proxies whose `X-Forwarded-For` is believed: IP addresses or CIDR ranges, IPv4 or IPv6
   * (`10.0.0.0/8`, `2001:db8::/32`, `::1`). Without any, the client IP is the peer's address.
   * @default []
   */
  trustedProxies?: string[];
  /**
   * A header your platform sets to the client IP (e.g. `cf-connecting-ip`); letters, digits
   * and `-`, any case. Only set it if clients cannot forge it.
   * @default none
   */
  clientIPHeader?: string;
  /**
   * Largest request body accepted, in bytes (1024 to 10 MiB); larger ones get 413.
   * @default 65536
   */
  maxBodyBytes?: number;
  /**
   * How passwords are hashed: any `PasswordHasher`, e.g. `argon2id()`, or
   * `passwordHashing(current, others)` to keep old hashes verifying after a change.
   * @default pbkdf2() (PBKDF2-HMAC-SHA256, 600,000 iterations)
   */
  passwordHasher?: PasswordHasher;
  /** Rules for new passwords (NIST SP 800-63B). */
  password?: PasswordOptions;
  /** The session cookie and session lifetimes. */
  session?: SessionOptions;
  /** Limits on credential endpoints, per client IP and per account. */
  rateLimit?: RateLimitOptions;
  /** Passkeys (WebAuthn): who the relying party is and what it asks of authenticators. */
  passkey?: PasskeyOptions;
  /** Access JWTs and refresh tokens for APIs, mobile apps and other services. */
  tokens?: TokenOptions;

  /**
   * Delivers mail: any `{ send(message) }`, e.g. `smtpMailer(...)` from `portcullis/smtp`.
   * Without one, mail is printed to the console outside production, and in production the
   * email features are off (turning one on without a mailer is a `ConfigError`).
   * @default consoleMailer() outside production, none in production
   */
  mailer?: Mailer;
  /**
   * Your app's name, shown in every message (1 to 100 characters) and, without
   * `passkey.rpName`, to passkey authenticators.
   * @default baseURL's host
   */
  appName?: string;
  /**
   * Your own templates, per message type (`"magic-link"`, `"password-reset"`...):
   * `(data) => ({ subject, text, html })`, possibly async. Use the `html` tag (or `escapeHtml`)
   * for the HTML part. Types left out keep the built-in template.
   * @default {} (the built-in templates)
   */
  emailTemplates?: MailTemplates;
  /** Verification of the account's address by a mailed link. */
  emailVerification?: EmailVerificationOptions;
  /** Sign-in by a mailed single-use link or 6-digit code. */
  magicLink?: MagicLinkOptions;
  /** Forgot / reset password by a mailed link. */
  passwordReset?: PasswordResetOptions;
  /** Changing the account's address, confirmed from the new one. */
  emailChange?: EmailChangeOptions;
  /**
   * Mail sent per address, each kind (magic link, reset...) counted apart, alike for existing
   * and unknown addresses so the limit reveals nothing.
   */
  mailRateLimit?: MailRateLimitOptions;
  /** The storage-backed outbox every message goes through: retries and dead letters. */
  outbox?: OutboxOptions;
  /** The audit log: every security event, kept in the storage's `audit` port. */
  audit?: AuditOptions;
  /**
   * Prometheus metrics at `GET /auth/metrics`, for a scraper that sends
   * `Authorization: Bearer <token>`. `auth.metrics()` works without it.
   * @default none: the route answers 404
   */
  metrics?: MetricsOptions;
  /**
   * The admin API over HTTP (`/auth/admin/*`: stats, find, disable, enable and delete users,
   * revoke their sessions, read the audit log), for a Bearer `token`, for signed-in users that
   * `isAdmin` accepts, or both. `auth.api.admin` works without it.
   * @default none: the admin routes answer 404
   */
  admin?: AdminOptions;
  /**
   * Endpoints that receive the security events as Standard Webhooks: signed POSTs of
   * `{ type, timestamp, data: event }` with `webhook-id`, `webhook-timestamp` and
   * `webhook-signature` headers. Deliveries go through the outbox (retried with back-off,
   * dead-lettered after `outbox.maxAttempts`, never lost on a restart), at least once, with the
   * same `webhook-id` on every attempt. `auth.api.flushOutbox()` delivers what is due.
   * @default [] (none)
   */
  webhooks?: WebhookEndpoint[];

  /**
   * Social sign-in (OAuth 2.0 / OpenID Connect): the identity providers, from `portcullis/oauth`
   * (`google(...)`, `github(...)`, `oidc(...)`...), and whether a new identity may create an
   * account. Needs a storage with the `accounts` port (every built-in one has it).
   * @default none: the `/auth/oauth/*` routes answer 404
   */
  oauth?: OAuthOptions;

  /**
   * The time source, in milliseconds since the epoch; inject one in tests.
   * @default Date.now
   */
  clock?: Clock;
  /**
   * The source of randomness for tokens and ids: `{ fill(bytes) }`; inject one in tests.
   * @default crypto.getRandomValues
   */
  random?: RandomSource;
  /**
   * Listeners of the security events (DESIGN §6), by type, or `"*"` for every one:
   * `{ "user.signed_in": (event) => ... }`. They run after the change is stored, in order; one
   * that throws is logged and never fails the request. More can be added with `auth.on`.
   */
  on?: AuthEventListeners;
  /**
   * Where the library logs: any `{ debug, info, warn, error }`, e.g. a pino logger (called
   * pino's way, `(fields, message)`). Nothing else in the library writes to the console.
   * @default JSON lines on stderr in production, readable lines otherwise, at the level
   * `LOG_LEVEL` names (debug, info, warn, error, silent; default info)
   */
  logger?: Logger;
}

/**
 * The public name `AuthConfig`, kept for code written before `AuthOptions`: the same interface.
 */
export type AuthConfig = AuthOptions;

/** A time source: `now()` returns milliseconds since the epoch, like `Date.now()`. */
export interface Clock {
  now(): number;
}

/** Rules for new passwords (at registration, change and reset), and what a stored hash may cost. */
export interface PasswordOptions {
  /**
   * Fewest characters (Unicode code points after NFKC normalization), 1 to 256. NIST SP 800-63B
   * recommends 15 when the password is the only factor.
   * @default 8
   */
  minLength?: number;
  /**
   * Most UTF-8 bytes (64 to 4096): longer passwords would only make hashing a DoS lever.
   * @default 1024
   */
  maxBytes?: number;
  /**
   * Refuses the ~49,000 most common passwords, case-insensitively (the list loads on first use).
   * @default true
   */
  rejectCommon?: boolean;
  /**
   * `async (password) => boolean`: true refuses the (normalized) password as breached, e.g. a
   * k-anonymity Pwned Passwords lookup. A throw propagates: rethrow to block sign-ups while the
   * breach service is down, return false to let them through.
   * @default none
   */
  isBreached?: (password: string) => Promise<boolean>;
  /**
   * The most memory, in KiB (1024 to 2097152), that verifying one stored Argon2 hash may take (its
   * `m`); a hash asking for more, or for more than 3 passes' worth of it, does not verify and is
   * logged naming this option. Imported hashes cost what their writer chose: the default takes
   * Django's, passlib's and argon2-cffi's (before 21.2) m=102400 and RFC 9106's 64 MiB profile,
   * and bounds what one sign-in may allocate. Raise it for RFC 9106's 2 GiB profile.
   * @default 262144 (256 MiB)
   */
  maxArgon2MemoryKiB?: number;
}

/** The session cookie and how long sessions live. */
export interface SessionOptions {
  /**
   * The cookie's name (letters, digits, `_`, `.`, `-`). Gets the `__Host-` prefix when the
   * cookie is Secure and host-only (https and no `cookieDomain`).
   * @default "portcullis.session"
   */
  cookieName?: string;
  /**
   * Shares the cookie with subdomains of this domain (which drops the `__Host-` prefix).
   * @default none (host-only)
   */
  cookieDomain?: string;
  /**
   * Idle lifetime in seconds: a session unused this long expires. At most `absoluteLifetime`.
   * @default 2592000 (30 days)
   */
  maxAge?: number;
  /**
   * Seconds between slides of the expiry: use extends the session at most this often (one
   * write a day, not one per request). Shorter than `maxAge`.
   * @default 86400 (1 day)
   */
  updateAge?: number;
  /**
   * Seconds after sign-in at which any session ends, however active.
   * @default 7776000 (90 days)
   */
  absoluteLifetime?: number;
  /**
   * Seconds after sign-in during which a session may make sensitive changes (add a passkey,
   * sign out other sessions, change the email or password) without the current password;
   * older sessions get `403 reauthentication_required` unless the request carries it.
   * @default 600 (10 minutes)
   */
  freshAge?: number;
  /**
   * The per-instance cache of validated sessions (and verified access JWTs) in front of the
   * guard's storage read. Revocations, and every other change made through the library
   * (logout, revoking sessions, password reset, disabling, deleting or updating a user), reach
   * every instance's cache at once, over the storage's invalidation channel; while that
   * channel is down the cache serves nothing. Only a change made behind the library's back
   * (SQL by hand) waits out `ttlSeconds`. On by default when the storage has a channel
   * (`memoryStorage()`; `sqliteStorage(...)`, which also notices other processes' commits to
   * the same file, within 2 ms; `redisStorage(redis)` composed with your SQL storage); off
   * otherwise (PostgreSQL alone), unless `singleInstance` says this instance is the only
   * writer. `false` turns it off.
   * @default on with an invalidation channel, off without
   */
  cache?: false | SessionCacheOptions;
}

/** `session.cache`: how much the session cache holds and for how long. */
export interface SessionCacheOptions {
  /**
   * Sessions (and, separately, access tokens) held at most; the oldest go first.
   * @default 10000
   */
  maxEntries?: number;
  /**
   * Seconds a cached session is trusted without reading storage again: how long a change made
   * outside the library can go unseen. Changes made through the library are seen at once.
   * @default 30
   */
  ttlSeconds?: number;
  /**
   * Says that this `createAuth` is the only one writing these sessions and users (one process
   * over one database), so the cache needs no invalidation channel: changes made here
   * invalidate it, and no other instance exists to make any. Needed to cache over a storage
   * without a channel (PostgreSQL alone; `sqliteStorage` has one and needs no such promise);
   * wrong, and unsafe, with several instances.
   * @default false
   */
  singleInstance?: boolean;
}

/** Limits on credential endpoints (429 with `Retry-After`), shared through storage. */
export interface RateLimitOptions {
  /** Requests per client IP on each credential endpoint, when the client IP is known. */
  perIP?: PerIPRateLimitOptions;
  /** Consecutive failed password sign-ins per account identifier. */
  loginFailures?: LoginFailureOptions;
}

/** Requests per client IP and window on each credential endpoint. */
export interface PerIPRateLimitOptions {
  /**
   * Requests allowed per client per `window`.
   * @default 30
   */
  max?: number;
  /**
   * The window, in seconds.
   * @default 60
   */
  window?: number;
  /**
   * How many leading bits of an IPv6 address name one client (32 to 128): a subscriber is
   * usually given a whole /64 and may use any address in it. IPv4 (and IPv4-mapped IPv6)
   * clients are counted by their full address.
   * @default 64
   */
  ipv6Prefix?: number;
}

/**
 * Failed password sign-ins per account identifier (unknown emails counted alike). Past
 * `freeAttempts` consecutive failures each one locks the account for twice as long as the one
 * before (from `lockSeconds`, at most `maxLockSeconds`); at `maxConsecutive` failures without a
 * success, password sign-in is refused for a whole `window` or until a password reset. A
 * success or a password reset clears the count; waiting out the locks does not.
 */
export interface LoginFailureOptions {
  /**
   * Consecutive failures allowed before the first lock.
   * @default 5
   */
  freeAttempts?: number;
  /**
   * How long the failure count is remembered, in seconds from the first failure after a
   * success; at least a day. A guesser who paces attempts gets at most `maxConsecutive` per
   * window, whence the long default.
   * @default 2592000 (30 days)
   */
  window?: number;
  /**
   * Seconds of the first lock; each further failure doubles it.
   * @default 30
   */
  lockSeconds?: number;
  /**
   * Longest lock, in seconds; shorter than `window`.
   * @default 3600 (1 hour)
   */
  maxLockSeconds?: number;
  /**
   * Failures without a success after which password sign-in is refused until a reset or the
   * end of the window: 1 to 100 (NIST SP 800-63B: at most 100).
   * @default 100
   */
  maxConsecutive?: number;
}

/** Passkeys (WebAuthn): the relying party and what it asks of authenticators. */
export interface PasskeyOptions {
  /**
   * The relying-party ID: a bare host name (e.g. `example.com`) that every origin in `origins`
   * is on or is a subdomain of. Passkeys are bound to it: changing it orphans them.
   * @default baseURL's hostname
   */
  rpID?: string;
  /**
   * The name authenticators show (1 to 64 characters).
   * @default appName, else the rpID
   */
  rpName?: string;
  /**
   * Origins a ceremony may come from (http(s) origins on the rpID), exactly as browsers report
   * them. At least one.
   * @default [baseURL's origin]
   */
  origins?: string[];
  /**
   * Whether authenticators must verify the user (PIN, biometrics): `"required"` refuses
   * ceremonies without user verification.
   * @default "preferred"
   */
  userVerification?: "preferred" | "required";
  /**
   * Attestation asked of authenticators; only `"none"` is supported.
   * @default "none"
   */
  attestation?: "none";
  /**
   * COSE algorithms accepted, in order of preference: Ed25519 (-8), ES256 (-7), RS256 (-257).
   * @default [-8, -7, -257]
   */
  algorithms?: Array<-8 | -7 | -257>;
  /**
   * Lets a visitor create an account with a passkey alone, no password.
   * @default false
   */
  signUp?: boolean;
}

/** Access JWTs (RFC 9068) and opaque rotating refresh tokens. */
export interface TokenOptions {
  /**
   * The default signature algorithm of access tokens (and of keys without their own `alg`).
   * ES256 and RS256 need `keys`; EdDSA and HS256 keys can derive from `secret`.
   * @default "EdDSA"
   */
  algorithm?: TokenAlgorithm;
  /**
   * The key ring, newest first: the first key signs (so it must be private); the others only
   * verify, kept until every token they signed has expired. `kid`s are unique.
   * @default [] (one key derived from `secret`)
   */
  keys?: TokenKeyOptions[];
  /**
   * Seconds an access token lives, at most a day.
   * @default 900 (15 minutes)
   */
  accessTokenTTL?: number;
  /**
   * Absolute lifetime of a refresh-token family, in seconds: rotation never extends it (nor
   * past the session's absolute lifetime).
   * @default 2592000 (30 days)
   */
  refreshTokenTTL?: number;
  /**
   * The `aud` of access tokens: one audience or a non-empty list.
   * @default baseURL
   */
  audience?: string | string[];
  /**
   * The `client_id` claim of access tokens (RFC 9068), 1 to 255 printable ASCII characters.
   * Clients are not registered, so this one value stands for every client of the token
   * endpoint; the `client_id` a request sends is accepted and ignored.
   * @default "portcullis"
   */
  clientId?: string;
  /**
   * Seconds of clock skew tolerated on `exp`, `nbf` and `iat` (0 to 300).
   * @default 5
   */
  clockTolerance?: number;
  /**
   * Seconds after a rotation during which the replaced refresh token gets the same successor
   * again (two requests racing with one token), 0 to 60; 0 makes every second use a reuse,
   * which revokes the family.
   * @default 10
   */
  refreshReuseGrace?: number;
}

/**
 * One key of the token key ring, in exactly one form: `jwk` (private, or public for a key that
 * only verifies), `pem` (private or public key in the forms openssl writes), or for HS256 a
 * shared `secret`.
 */
export interface TokenKeyOptions {
  /** The key's id (`kid` header): 1 to 128 printable ASCII characters, no spaces. */
  kid: string;
  /**
   * The algorithm this key signs or verifies with; a key never serves another one.
   * @default tokens.algorithm
   */
  alg?: TokenAlgorithm;
  /** The key as a JWK: OKP Ed25519 (EdDSA), EC P-256 (ES256), RSA (RS256), oct (HS256). */
  jwk?: Record<string, unknown>;
  /**
   * The key as PEM (not for HS256): a private key as PKCS#8 (`BEGIN PRIVATE KEY`), SEC1
   * (`BEGIN EC PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), as openssl writes them, or a
   * public key as SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`).
   */
  pem?: string;
  /** For HS256 only: the shared secret, at least 32 bytes. */
  secret?: string;
}

/** Verification of the account's address by a mailed link. */
export interface EmailVerificationOptions {
  /**
   * Mails a verification link at registration. Turning it (or `required`) on in production
   * without a `mailer` is a `ConfigError`.
   * @default false
   */
  sendOnRegister?: boolean;
  /**
   * Sign-in of an unverified account answers `email_not_verified` (and registration then opens
   * no session).
   * @default false
   */
  required?: boolean;
  /**
   * Where `GET /auth/email/verify` sends the browser: a path on baseURL or a URL on a trusted
   * origin (up to 2048 characters).
   * @default baseURL
   */
  redirectTo?: string;
  /**
   * Seconds a verification link stays valid.
   * @default 86400 (1 day)
   */
  ttl?: number;
}

/** Sign-in by a mailed single-use link or 6-digit code. */
export interface MagicLinkOptions {
  /**
   * Serves the magic-link and login-code routes. Unset: on when mail can be delivered (always
   * outside production; in production only with a `mailer`). `true` in production without a
   * `mailer` is a `ConfigError`.
   * @default on when mail can be delivered
   */
  enabled?: boolean;
  /**
   * Creates the account on first use of an unknown address.
   * @default true
   */
  signUp?: boolean;
  /**
   * Seconds a link stays valid, at most a day.
   * @default 600 (10 minutes)
   */
  ttl?: number;
  /**
   * For mail systems whose link scanners follow GET links: the link no longer signs in by
   * itself. `GET /auth/magic-link/verify` uses nothing up and shows a confirmation step
   * (`confirmPage`, or the library's minimal one-button page); the sign-in happens on
   * `POST /auth/magic-link/verify { token, redirectTo? }`. Off: one click signs in.
   * @default false
   */
  confirm?: boolean;
  /**
   * With `confirm`, your own confirmation page, sent `?token=` (and `&redirectTo=`); it POSTs
   * them to `/auth/magic-link/verify`. A path on baseURL or a URL on a trusted origin.
   * @default the library's page
   */
  confirmPage?: string;
  /**
   * Seconds a 6-digit login code stays valid, at most an hour.
   * @default 600 (10 minutes)
   */
  codeTtl?: number;
  /**
   * Guesses allowed per code (1 to 10); more would weaken the 6-digit code.
   * @default 5
   */
  codeAttempts?: number;
}

/** Forgot / reset password by a mailed link. */
export interface PasswordResetOptions {
  /**
   * Serves `POST /auth/password/forgot` and `/reset`. Unset: on when mail can be delivered.
   * `true` in production without a `mailer` is a `ConfigError`.
   * @default on when mail can be delivered
   */
  enabled?: boolean;
  /**
   * Seconds a reset link stays valid, at most a day; any password change ends it sooner.
   * @default 3600 (1 hour)
   */
  ttl?: number;
  /**
   * Your reset page; the link is this URL with `?token=`, and the page POSTs
   * `{ token, password }` to `/auth/password/reset`. A path on baseURL or a URL on a trusted
   * origin.
   * @default "/reset-password" on baseURL
   */
  url?: string;
}

/**
 * Changing the account's address: a link to the new address confirms it; the old address is
 * told at once, with a link that stops or undoes the change. Freshness (whether the current
 * password is needed) follows `session.freshAge`.
 */
export interface EmailChangeOptions {
  /**
   * Serves the email-change routes. Unset: on when mail can be delivered. `true` in production
   * without a `mailer` is a `ConfigError`.
   * @default on when mail can be delivered
   */
  enabled?: boolean;
  /**
   * Seconds the confirmation link stays valid.
   * @default 86400 (1 day)
   */
  ttl?: number;
  /**
   * Where the confirmation and cancellation links send the browser: a path on baseURL or a URL
   * on a trusted origin.
   * @default baseURL
   */
  redirectTo?: string;
}

/** Mail sent per address and kind of message. */
export interface MailRateLimitOptions {
  /**
   * Messages of one kind per address per `window`.
   * @default 5
   */
  max?: number;
  /**
   * The window, in seconds.
   * @default 3600 (1 hour)
   */
  window?: number;
}

/**
 * The audit log (`auth.api.admin.listAuditEvents`): every event is appended to the storage's
 * `audit` port before the request answers. Records outlive a deleted account (they are security
 * records, with its email addresses in some of them) until retention removes them.
 */
export interface AuditOptions {
  /**
   * Days a record is kept, 0 to 36500; `purgeExpired` deletes older ones. `0` keeps records
   * forever (nothing is purged).
   * @default 365
   */
  retentionDays?: number;
}

/** Who may call the admin routes (`/auth/admin/*`): give `token`, `isAdmin`, or both. */
export interface AdminOptions {
  /**
   * The Bearer token of operators' scripts and services (`Authorization: Bearer <token>`), at
   * least 32 printable ASCII characters without spaces, e.g. from `npx portcullis secret`;
   * compared in constant time. A missing or wrong one is answered `401 unauthenticated`.
   * `portcullis serve` reads it from `ADMIN_TOKEN`.
   */
  token?: string;
  /**
   * Which signed-in users are administrators, e.g. `(user) => user.metadata.role === "admin"`;
   * may be async. A signed-in user it refuses gets `403 forbidden`, a caller not signed in
   * `401 unauthenticated`. Their requests carry the session cookie, so the admin routes that
   * change state need a trusted `Origin` like every cookie request (CSRF).
   */
  isAdmin?: (user: User) => boolean | Promise<boolean>;
}

/** Serving `auth.metrics()` (Prometheus text format 0.0.4) at `GET /auth/metrics`. */
export interface MetricsOptions {
  /**
   * The Bearer token a scraper must send (Prometheus' `authorization: { credentials: ... }`),
   * at least 16 printable ASCII characters without spaces, e.g. from `npx portcullis secret`;
   * compared in constant time. A missing or wrong one is answered `401 unauthenticated`.
   */
  token: string;
}

/** One receiver of webhooks (the `webhooks` option). */
export interface WebhookEndpoint {
  /**
   * Where deliveries are POSTed: an absolute https URL (http is allowed outside production, or
   * with `allowInsecureUrl`). Each URL once. Redirects are not followed: give the final URL.
   * Deliveries already queued find their endpoint by this URL at each attempt; one whose URL is
   * no longer configured is dead-lettered.
   */
  url: string;
  /**
   * The signing secret: `whsec_` followed by the base64 of at least 24 random bytes, e.g.
   * `"whsec_" + (openssl rand -base64 32)`. Read at each attempt, so a restart with a new secret
   * signs the deliveries still queued with it (rotate on the receiver first, accepting both).
   */
  secret: string;
  /**
   * The event types delivered to this endpoint (`AUTH_EVENT_TYPES`), or `["*"]` for every one.
   * Required: choose what leaves your system (`user.sign_in_failed` is as frequent as attacks).
   */
  events: Array<AuthEventType | "*">;
  /**
   * Seconds to wait for the endpoint's answer, 1 to 60; a slower answer is a failed attempt,
   * retried. Never longer than `outbox.leaseSeconds`, so no other instance claims a delivery
   * still under way.
   * @default 10
   */
  timeoutSeconds?: number;
  /**
   * Allows an `http:` URL in production (a receiver on a private network). Events carry email
   * addresses and account ids: off, an http URL in production is a `ConfigError`.
   * @default false
   */
  allowInsecureUrl?: boolean;
}

/** Retries of the outbox; a message that fails is kept, retried, then dead-lettered. */
export interface OutboxOptions {
  /**
   * Attempts before a message is dead-lettered (`auth.api.deadLetters()`), 1 to 100.
   * @default 8
   */
  maxAttempts?: number;
  /**
   * Seconds to wait after the first failure; doubles with each further failure.
   * @default 30
   */
  backoffSeconds?: number;
  /**
   * Longest wait between attempts, in seconds.
   * @default 3600 (1 hour)
   */
  maxBackoffSeconds?: number;
  /**
   * Seconds a claimed message is reserved for the instance sending it; a mailer's `send`
   * should give up within it.
   * @default 60
   */
  leaseSeconds?: number;
  /**
   * Messages claimed per round of a flush, 1 to 1000.
   * @default 50
   */
  batchSize?: number;
}

/**
 * Social sign-in. The routes: `GET /auth/oauth/<id>?redirectTo=` starts it; the provider
 * returns to `<baseURL><basePath>/oauth/<id>/callback`, the redirect URI to register with it.
 */
export interface OAuthOptions {
  /**
   * The identity providers, each with its own id (`google(...)` is `"google"`).
   * At least one.
   */
  providers: OAuthProvider[];
  /**
   * Creates an account for an identity that matches none (with the provider's email, verified
   * when the provider asserts it). Off, such an identity is refused: people sign up another way
   * and link the provider from their account.
   * @default true
   */
  signUp?: boolean;
  /**
   * Keeps the provider's access and refresh tokens with the linked identity, encrypted with a
   * key derived from `secret` (`auth.api.getOAuthTokens`), for apps that call the provider's
   * API on the user's behalf. Off, they are used once to read the profile and dropped.
   * @default false
   */
  storeTokens?: boolean;
}
