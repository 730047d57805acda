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
  createdAt: Date;
}

export interface UserStore {
  /**
   * Atomic: creates the user, and its password hash when given, or nothing at all.
   * Throws `AuthError("email_taken")` when another user has the email, compared case-insensitively.
   */
  create(user: NewUser, credentials?: { passwordHash?: string }): Promise<User>;
  findById(id: string): Promise<User | null>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | null>;
  /** Returns null for an unknown id. Throws `AuthError("email_taken")` like `create`. */
  update(
    id: string,
    patch: Partial<Pick<User, "email" | "emailVerified" | "name">> & { updatedAt: Date },
  ): Promise<User | null>;
  /** Deletes the user and, in cascade, everything every other port keeps for it. */
  delete(id: string): Promise<void>;
  ping?(): Promise<void>;
}

export interface PasswordStore {
  get(userId: string): Promise<string | null>;
  set(userId: string, hash: string): Promise<void>;
  /** Atomic compare-and-swap: replaces the hash only if it is still `expected`. */
  replace(userId: string, expected: string, next: string): Promise<boolean>;
  ping?(): Promise<void>;
}

/** A session as stored: the public fields plus the SHA-256 of the token's secret. */
export interface SessionRecord extends Session {
  secretHash: string;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  updateExpiry(id: string, expiresAt: Date): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes a user's sessions but `exceptId`, returning the ids it deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Newest first. */
  listByUser(userId: string): Promise<SessionRecord[]>;
  deleteExpired(now: Date): Promise<number>;
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
  ping?(): Promise<void>;
}

/** Everything the library keeps. */
export interface Storage {
  users: UserStore;
  passwords: PasswordStore;
  sessions: SessionStore;
  verifications: VerificationStore;
  rateLimits: RateLimitStore;
}
