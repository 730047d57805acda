import type { Session, User } from "../types.js";

/*
 * The storage ports. Each port is a narrow interface named for what it does; an adapter may
 * implement some ports and be combined with another adapter for the rest
 * (`{ ...postgresStorage(pool), sessions: redisSessions(redis) }`).
 * Where correctness depends on it, a method is documented as atomic: adapters must make it one
 * operation (a transaction, a conditional write, a script), never a read followed by a write.
 * A port that cannot reach its backend throws `AuthError("unavailable")`.
 */

export interface NewUser {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** `{}` when left out. */
  metadata?: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Users. `metadata` is a JSON object the library validated (plain, JSON values only, small):
 * a store keeps it as JSON (SQL: a TEXT column) and hands back an equal copy, never the object
 * it was given, and `{}` for a user created without one.
 */
export interface UserStore {
  /**
   * Atomic: creates the user, and its password hash when given, or nothing at all.
   * Throws `AuthError("email_taken")` when another user has the email, compared case-insensitively.
   */
  create(user: NewUser, credentials?: { passwordHash?: string }): Promise<User>;
  /**
   * With `fresh`, the read must see every write already made (the primary, never a lagging read
   * replica): for decisions a stale row would get wrong, such as whether the account is disabled.
   */
  findById(id: string, options?: { fresh?: boolean }): Promise<User | null>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | null>;
  /**
   * Returns null for an unknown id. Throws `AuthError("email_taken")` like `create`. A field left
   * out (undefined) is kept; `metadata` replaces the stored object whole.
   */
  update(
    id: string,
    patch: Partial<Pick<User, "email" | "emailVerified" | "name" | "metadata" | "disabledAt">> & {
      updatedAt: Date;
    },
  ): Promise<User | null>;
  /**
   * Deletes the user and, in cascade, everything every other port keeps for it, but the audit
   * log: its records are security records and outlive the account (see `AuditStore`).
   */
  delete(id: string): Promise<void>;
  /**
   * Optional (`auth.api.admin.findUsers` needs it): up to `limit` users whose email starts with
   * `emailPrefix` compared case-insensitively and literally (`%`, `_` and `\` are plain
   * characters, never wildcards), ordered by lower-cased email, starting strictly after
   * `afterEmail` (a lower-cased email, the last one of the previous page). The email is unique,
   * so the order is total and a page never repeats nor skips a user that did not change email
   * meanwhile. May come from a replica that lags.
   */
  list?(query: UserListQuery): Promise<User[]>;
  /**
   * Optional (`auth.api.admin.stats`): counts over every user, in one query where the store can.
   * `createdSince[i]` counts the users created at or after `query.createdSince[i]`.
   */
  count?(query: { createdSince: Date[] }): Promise<UserCounts>;
  ping?(): Promise<void>;
}

export interface UserListQuery {
  /** Lower-cased; `""` matches every user. */
  emailPrefix: string;
  /** Lower-cased; users strictly after it in the order. */
  afterEmail?: string;
  /** 1 or more. */
  limit: number;
}

export interface UserCounts {
  total: number;
  verified: number;
  /** Users with a `disabledAt`. */
  disabled: number;
  /** One count per date asked, in the order asked. */
  createdSince: number[];
}

export interface PasswordStore {
  get(userId: string): Promise<string | null>;
  set(userId: string, hash: string): Promise<void>;
  /** Atomic compare-and-swap: replaces the hash only if it is still `expected`. */
  replace(userId: string, expected: string, next: string): Promise<boolean>;
  /**
   * Removes the user's password, so it no longer signs in (e.g. a password set by whoever
   * squatted an address before its owner proved it). Unknown users are ignored.
   */
  delete(userId: string): Promise<void>;
  ping?(): Promise<void>;
}

/** A session as stored: the public fields plus the SHA-256 of the token's secret. */
export interface SessionRecord extends Session {
  secretHash: string;
}

/**
 * Sessions. Reads return what is stored, expired or not: the core decides liveness (`isLive`)
 * and never writes on a read; expired rows stay until `deleteExpired` (or a TTL) removes them.
 */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** Must read fresh data (a primary, never a lagging replica): a revoked session fails at once. */
  get(id: string): Promise<SessionRecord | null>;
  /**
   * Optional: the session and its user in one round trip (a JOIN), so the guard costs one
   * query; exactly what `get(id)` and then `users.findById(session.userId)` would return, or
   * null when either is missing. Fresh like `get`. Implement it only when this store also holds
   * the users that the storage's `users` port serves (one database); a sessions store without
   * users (Redis) omits it, and the core then makes the two calls. So a composed storage,
   * `{ ...postgresStorage(pool), sessions: redisSessions(redis) }`, never joins across stores:
   * the method travels with the sessions port, and the Redis port has none.
   */
  getWithUser?(id: string): Promise<{ session: SessionRecord; user: User } | null>;
  updateExpiry(id: string, expiresAt: Date): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes a user's sessions but `exceptId`, returning the ids it deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Newest first; may include expired ones, and may come from a replica that lags. */
  listByUser(userId: string): Promise<SessionRecord[]>;
  /** Deletes the sessions that are not live at `now` (`isLive`); returns how many. */
  deleteExpired(now: Date): Promise<number>;
  /**
   * Optional (`auth.api.admin.stats`): how many sessions are live at `now` (`isLive`), when the
   * store can count them without visiting each one. Without it the count is `null` (Redis).
   */
  countLive?(now: Date): Promise<number>;
  ping?(): Promise<void>;
}

/** A single-use secret sent to a user (reset link, magic link, verification code...). */
export interface VerificationRecord {
  /** SHA-256 of the secret, base64url: the secret itself is never stored. */
  id: string;
  /** What the token is for; a token never works for another purpose. */
  purpose: string;
  userId: string | null;
  /** The address (or other identifier) the secret was sent to. */
  identifier: string;
  /** Purpose-specific JSON, e.g. a redirect target or a new email address. */
  data: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface VerificationStore {
  create(record: VerificationRecord): Promise<void>;
  /**
   * Atomic: removes and returns the record when it exists, has `purpose` and has not expired at
   * `now`. Of any number of concurrent calls with one id, at most one gets the record.
   */
  consume(id: string, purpose: string, now: Date): Promise<VerificationRecord | null>;
  /** Voids outstanding tokens, e.g. every reset link after a password change. */
  deleteByUser(userId: string, purpose?: string): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
  ping?(): Promise<void>;
}

export interface RateLimitWindow {
  count: number;
  resetAt: Date;
}

export interface RateLimitStore {
  /**
   * Atomic: counts one hit on `key`, opening a window of `windowMs` when there is none (or it has
   * ended at `now`). Returns the count in the window, this hit included.
   */
  hit(key: string, windowMs: number, now: Date): Promise<RateLimitWindow>;
  /** The current window, or null when there is none at `now`. */
  peek(key: string, now: Date): Promise<RateLimitWindow | null>;
  reset(key: string): Promise<void>;
  /** Drops windows that ended at `now`; stores whose entries expire by themselves omit it. */
  deleteExpired?(now: Date): Promise<number>;
  ping?(): Promise<void>;
}

/** A WebAuthn credential (passkey) registered to a user. */
export interface PasskeyRecord {
  /** The credential ID, base64url; unique across every user. */
  id: string;
  userId: string;
  /** The COSE-encoded public key, base64url. */
  publicKey: string;
  /** The signature counter the authenticator last reported (0 when it keeps none). */
  counter: number;
  /** How the browser can reach the authenticator ("internal", "hybrid", "usb"...), as reported. */
  transports: string[];
  /** "multiDevice" for synced passkeys, "singleDevice" for ones bound to one authenticator. */
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  /** A label the user chose, e.g. "Work laptop". */
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Where the passkey was added from, so its owner can tell one they did not add. */
  createdIp: string | null;
  createdUserAgent: string | null;
}

export interface PasskeyStore {
  /** Atomic: stores the passkey unless one with its id exists; returns false (storing nothing) then. */
  create(passkey: PasskeyRecord): Promise<boolean>;
  findById(id: string): Promise<PasskeyRecord | null>;
  /** Oldest first. */
  listByUser(userId: string): Promise<PasskeyRecord[]>;
  /**
   * Atomic conditional write after a sign-in: stores `counter`, `backedUp` and `lastUsedAt` only
   * if `counter` is greater than the stored counter, or both are 0 (authenticators that keep no
   * counter). Returns false and changes nothing otherwise, so of two concurrent sign-ins replaying
   * one counter value at most one passes.
   */
  recordUse(
    id: string,
    use: { counter: number; backedUp: boolean; usedAt: Date },
  ): Promise<boolean>;
  /** Renames the user's passkey; null when the user has no passkey with that id. */
  rename(userId: string, id: string, name: string | null): Promise<PasskeyRecord | null>;
  /**
   * Deletes the user's passkey. With `keepLast`, refuses to delete the user's only passkey and
   * answers "last"; this must be atomic against concurrent deletes of the same user's passkeys
   * (e.g. lock the user's passkey rows), or two deletes could remove the last two together.
   */
  delete(
    userId: string,
    id: string,
    options?: { keepLast?: boolean },
  ): Promise<"deleted" | "not_found" | "last">;
  /** Deletes every passkey of the user in one operation; returns how many it deleted. */
  deleteByUser(userId: string): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * A message waiting to be delivered. The payload is opaque to storage: the library encrypts it
 * (the links it carries are bearer secrets), so an adapter stores and returns it unchanged.
 */
export interface OutboxRecord {
  id: string;
  payload: string;
  /** Delivery attempts so far, the one in progress included (a claim counts as an attempt). */
  attempts: number;
  /** When the message may next be claimed: its retry time, or the end of the current lease. */
  availableAt: Date;
  lastError: string | null;
  createdAt: Date;
  /** Set when delivery was given up; a dead-lettered message is never claimed again. */
  deadAt: Date | null;
}

export interface OutboxStore {
  enqueue(record: OutboxRecord): Promise<void>;
  /**
   * Atomic: takes up to `limit` messages that are not dead-lettered and whose `availableAt` is at
   * or before `now`, oldest `availableAt` first; sets each one's `availableAt` to `leaseUntil`
   * and adds 1 to its `attempts`; returns them with the new values. Of any number of concurrent
   * claims (several instances over one database), each message goes to at most one until its
   * lease ends, so two instances never send it at once.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboxRecord[]>;
  /** Removes a delivered message; unknown ids are ignored. */
  markSent(id: string): Promise<void>;
  /** Releases a failed message for another attempt at `availableAt`, noting why it failed. */
  reschedule(id: string, availableAt: Date, lastError: string): Promise<void>;
  /** Gives up on a message: it stays for inspection with `deadAt` set, never claimed again. */
  markDead(id: string, deadAt: Date, lastError: string): Promise<void>;
  /** Dead-lettered messages, most recently given up first. */
  listDead(limit: number): Promise<OutboxRecord[]>;
  /**
   * Optional: how many messages are queued and not dead-lettered (due, waiting for a retry or
   * leased alike), for the `portcullis_outbox_backlog` gauge; without it the gauge has no sample.
   */
  countPending?(): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * A family of rotating refresh tokens: every token descended, by rotation, from one grant. One
 * row per family, not per token: the token is `id.secret` where `id` is the family id and the
 * secret changes at every rotation, so any secret of the family but the current one is a reuse.
 */
export interface RefreshFamilyRecord {
  /** The family id: the public part of every refresh token of the family. */
  id: string;
  userId: string;
  /** The session the family is bound to: ending the session deletes the family. */
  sessionId: string;
  /** SHA-256 (base64url) of the current token's secret. */
  secretHash: string;
  /** SHA-256 of the secret the current one replaced; honoured only within the reuse grace window. */
  previousSecretHash: string | null;
  /** When the family last rotated; null before its first rotation. */
  rotatedAt: Date | null;
  createdAt: Date;
  /** Absolute expiry of the whole family: rotation never extends it. */
  expiresAt: Date;
}

export interface RefreshTokenStore {
  create(family: RefreshFamilyRecord): Promise<void>;
  get(id: string): Promise<RefreshFamilyRecord | null>;
  /**
   * Atomic compare-and-swap: when the family's `secretHash` is still `expectedHash`, sets
   * `previousSecretHash` to it, `secretHash` to `nextHash` and `rotatedAt` to `now`, and returns
   * true. Returns false, changing nothing, otherwise (or for an unknown id). Of any number of
   * concurrent rotations of one secret, at most one returns true.
   */
  rotate(id: string, expectedHash: string, nextHash: string, now: Date): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** Deletes every family bound to one of `sessionIds`. */
  deleteBySessions(sessionIds: string[]): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * Revoked sessions, as far as access tokens are concerned: an access JWT names its session in
 * `sid`, and is refused while its session is listed here. An entry needs to outlive only the
 * longest-lived access token it could affect, so each one carries its own expiry.
 */
export interface RevocationStore {
  /** Lists the sessions as revoked until `until`; when one is listed already, the later expiry wins. */
  revokeSessions(sessionIds: string[], until: Date): Promise<void>;
  /** Whether the session is listed and its entry has not expired at `now`. */
  isSessionRevoked(sessionId: string, now: Date): Promise<boolean>;
  deleteExpired(now: Date): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * One security event as the audit log keeps it: the event's common fields as columns (to filter
 * on), everything specific to its type in `data`. Never a secret: events carry none.
 */
export interface AuditRecord {
  /** The event's id, unique: appending a record whose id is stored already changes nothing. */
  id: string;
  /** The event's type, e.g. `"user.signed_in"`. */
  type: string;
  at: Date;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The type-specific fields: a plain JSON object (`{}` when the type has none). */
  data: Record<string, unknown>;
}

export interface AuditQuery {
  userId?: string;
  type?: string;
  /** Records at or after this instant. */
  since?: Date;
  /** Records strictly before this instant. */
  until?: Date;
  /** At most this many records (1 or more). */
  limit: number;
  /** From a previous page's `nextCursor`, with the same filters. */
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Where the next page starts; null when this page is the last. */
  nextCursor: string | null;
}

/**
 * The audit log: every event, appended once, read newest first. Records are not tied to the
 * user (deleting a user keeps them, for accountability); they go when `deleteOlderThan` (the
 * retention, run by `purgeExpired`) reaches them.
 */
export interface AuditStore {
  /** Stores the record; a record whose `id` is stored already is ignored (no error). */
  append(record: AuditRecord): Promise<void>;
  /**
   * The records matching every filter given, newest `at` first; records with one `at` come
   * newest appended first. The cursor is opaque and keyset-based: appending records while a
   * client pages (newer ones, as always happens) neither repeats nor skips a record on the
   * pages after. A cursor this store cannot read throws `AuthError("invalid_request")`. May
   * come from a replica that lags.
   */
  query(query: AuditQuery): Promise<AuditPage>;
  /** Deletes the records strictly older than `date`; returns how many. */
  deleteOlderThan(date: Date): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * A user's second factor (DESIGN §7). The TOTP secrets are sealed by the library (AES-GCM under a
 * key derived from `secret`): opaque strings to storage, stored and returned unchanged. Recovery
 * codes are kept as keyed hashes, never the codes.
 */
export interface MfaRecord {
  userId: string;
  /** The confirmed TOTP secret, sealed; null while MFA is off (set up, not confirmed). */
  totpSecret: string | null;
  /** When MFA was turned on; null while it is off. */
  enabledAt: Date | null;
  /**
   * The latest TOTP time step a code was accepted for (0 before any): a code of this step or an
   * earlier one is a replay.
   */
  lastUsedStep: number;
  /** A secret set up and not confirmed yet, sealed; null when there is none. */
  pendingSecret: string | null;
  /** Hashes of the recovery codes not used yet. */
  recoveryCodes: string[];
  updatedAt: Date;
}

/**
 * Second factors: one record per user. MFA is on when `totpSecret` is set. Adapters keep it with
 * the users (a foreign key that cascades): deleting the user deletes its record.
 */
export interface MfaStore {
  get(userId: string): Promise<MfaRecord | null>;
  /**
   * Stores a secret set up and not confirmed yet, creating the user's record when there is none
   * and replacing an earlier unconfirmed secret; an enabled secret, its codes and its last step
   * are kept.
   */
  setPendingSecret(userId: string, pendingSecret: string, now: Date): Promise<void>;
  /**
   * Atomic compare-and-swap: when the user's `pendingSecret` is still `pendingSecret`, makes it
   * the enabled `totpSecret` (replacing any earlier one), clears `pendingSecret`, and sets
   * `enabledAt`, `lastUsedStep` and `recoveryCodes`; returns true. Returns false and changes
   * nothing otherwise: of two concurrent confirmations of one secret, at most one returns true.
   */
  enable(
    userId: string,
    change: {
      pendingSecret: string;
      enabledAt: Date;
      lastUsedStep: number;
      recoveryCodes: string[];
    },
  ): Promise<boolean>;
  /**
   * Atomic compare-and-set (`UPDATE … WHERE last_used_step < step`): records `step` as used when
   * MFA is on and `step` is later than `lastUsedStep`; returns false and changes nothing
   * otherwise. Of any number of concurrent calls with one step (one code submitted twice, on two
   * instances), at most one returns true.
   */
  recordStep(userId: string, step: number, now: Date): Promise<boolean>;
  /**
   * Atomic: removes one recovery code and answers how many remain; null (changing nothing) when
   * the user has no such code or MFA is off. Of any number of concurrent calls with one code, at
   * most one gets a number.
   */
  consumeRecoveryCode(userId: string, codeHash: string, now: Date): Promise<number | null>;
  /** Replaces every recovery code of a user with MFA on (false, changing nothing, when it is off). */
  replaceRecoveryCodes(userId: string, codeHashes: string[], now: Date): Promise<boolean>;
  /** Deletes the user's record (MFA off, codes and pending secret gone); true when MFA was on. */
  delete(userId: string): Promise<boolean>;
  ping?(): Promise<void>;
}

/**
 * An identity at an OAuth / OpenID Connect provider linked to a user (social sign-in): the
 * provider's id for the person (`subject`) signs that user in. One user may link several.
 */
export interface LinkedAccountRecord {
  /** Random, unique: how the user names it to unlink it. */
  id: string;
  /** The provider's id in the configuration, e.g. `"google"`. */
  provider: string;
  /** The provider's stable id for the person (OIDC `sub`, GitHub's user id). */
  subject: string;
  userId: string;
  /** The address the provider gave when the identity was linked, to show the user; or null. */
  email: string | null;
  /**
   * The provider's tokens, sealed by the library (opaque to storage, like the outbox payload);
   * null unless `oauth.storeTokens` is on.
   */
  tokens: string | null;
  createdAt: Date;
}

/**
 * Linked identities (`oauth`). Optional in `Storage`: a storage without it works until `oauth`
 * is configured, which then asks for it at startup. Deleting a user deletes its identities.
 */
export interface LinkedAccountStore {
  /**
   * Atomic: stores the identity unless one with its `provider` and `subject` (compared exactly)
   * is linked already, to this user or any other; returns false, storing nothing, then.
   */
  create(account: LinkedAccountRecord): Promise<boolean>;
  /** The identity linked under (`provider`, `subject`), or null. Fresh (the primary). */
  find(provider: string, subject: string): Promise<LinkedAccountRecord | null>;
  /** The user's identities, oldest first. */
  listByUser(userId: string): Promise<LinkedAccountRecord[]>;
  /** Replaces the sealed tokens of the user's identity `id`; unknown ones are ignored. */
  setTokens(userId: string, id: string, tokens: string | null): Promise<void>;
  /**
   * Unlinks the user's identity `id`. With `keepLast`, refuses to delete the user's only
   * identity and answers "last", atomically against concurrent deletes of the same user's
   * identities (as `PasskeyStore.delete`).
   */
  delete(
    userId: string,
    id: string,
    options?: { keepLast?: boolean },
  ): Promise<"deleted" | "not_found" | "last">;
  /** Unlinks every identity of the user; returns how many. */
  deleteByUser(userId: string): Promise<number>;
  ping?(): Promise<void>;
}

/**
 * A change the session caches of every instance must act on: the session `id` ended or its
 * expiry moved; the user `id` changed, was deleted or lost sessions; or `all`, when changes may
 * have been missed (a gap in a channel's sequence).
 */
export type Invalidation =
  | { kind: "session"; id: string }
  | { kind: "user"; id: string }
  | { kind: "all" };

/** What a subscriber of an `InvalidationChannel` is told. */
export interface InvalidationListener {
  /** Drop what `change` names. */
  invalidate(change: Invalidation): void;
  /**
   * Whether the channel can vouch that no change is being missed. A subscriber starts
   * unavailable; `false` (the subscription dropped, a heartbeat went unanswered) means: drop
   * everything and serve nothing from the cache; `true` comes only once the channel has
   * resynchronised.
   */
  available(up: boolean): void;
}

/**
 * Optional (`Storage.invalidation`): how the session caches of every instance sharing this
 * storage hear of changes to sessions and users (`session.cache`). The core publishes a change
 * after each write it makes to either port; a channel delivers it to every subscriber, this
 * instance's included, in the order published. A channel that cannot tell whether a change
 * was missed says so through `available(false)`, never by staying silent: zero staleness for
 * revocations rests on that. `redisStorage` provides one over pub/sub; `memoryStorage` one
 * within the process; `sqliteStorage` one within the process that also notices other
 * connections' commits to the same file (`catchUp`).
 */
export interface InvalidationChannel {
  /**
   * For a channel that sees only the writes made through particular ports (a store in this
   * process's memory): those ports. The cache uses the channel only while the storage's
   * `sessions` and `users` are these very objects, so composing another store in (sessions in
   * Redis) never leaves a cache trusting a channel that cannot see that store's writes.
   */
  readonly watches?: { sessions: SessionStore; users: UserStore };
  /** Delivers `change` to every subscriber. Rejects (`unavailable`) when it could not be sent. */
  publish(change: Invalidation): Promise<void>;
  /** Starts delivering to `listener` (unavailable until the channel says otherwise). */
  subscribe(listener: InvalidationListener): () => void;
  /**
   * Optional, synchronous: called by the session cache just before it serves an entry (and
   * when it takes a read's ticket). A channel that can look for changes it was not told of
   * (SQLite's `PRAGMA data_version`: another connection committed) delivers
   * `invalidate({ kind: "all" })` to its subscribers before returning when it finds one, or
   * `available(false)` when it cannot tell. It runs on every cache hit, so it must be cheap: a
   * channel whose look is costly may look only every so often, and then documents that interval
   * as how long a change it was not told of goes unseen. It should not throw (a throw makes
   * the cache serve and keep nothing for that call). A channel that pushes every change (Redis
   * pub/sub, memory) leaves it out.
   */
  catchUp?(): void;
}

/** Everything the library keeps. */
export interface Storage {
  users: UserStore;
  passwords: PasswordStore;
  sessions: SessionStore;
  verifications: VerificationStore;
  rateLimits: RateLimitStore;
  passkeys: PasskeyStore;
  outbox: OutboxStore;
  refreshTokens: RefreshTokenStore;
  revocations: RevocationStore;
  audit: AuditStore;
  mfa: MfaStore;
  /** Optional: needed only with `oauth` (`LinkedAccountStore`). */
  accounts?: LinkedAccountStore;
  /** Optional: lets `session.cache` serve across instances (`InvalidationChannel`). */
  invalidation?: InvalidationChannel;
}
