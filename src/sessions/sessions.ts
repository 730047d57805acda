import type { CachedSession, SessionCache } from "../cache/session-cache.js";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import type { SessionEndReason, SignInMethod } from "../events/events.js";
import type { CompletedSecondFactor } from "../mfa/complete.js";
import {
  type FirstFactorProof,
  requireSecondFactor,
  type SecondFactorRequired,
} from "../mfa/pending-step.js";
import type { SessionRecord } from "../storage/ports.js";
import { isLive } from "../storage/session-liveness.js";
import type { AuthResult, RequestInfo, Session, User } from "../types.js";
import type { CallerNowOrLater } from "../util/authenticate-now.js";
import {
  formatOpaqueToken,
  hashOpaqueSecret,
  newOpaqueToken,
  OPAQUE_TOKEN_SHAPE,
  opaqueSecretMatches,
  parseOpaqueToken,
} from "../util/opaque-token.js";
import { accountDisabled, isDisabled } from "./account-disabled.js";
import { slideSession, slideTarget } from "./lifetime.js";
import { revokeSessionTokens } from "./revocation.js";

export interface IssuedSession {
  session: Session;
  /** The cookie's bearer token (`id.secret`, util/opaque-token): shown once, never stored. */
  token: string;
  /** Never true: tells an opened session from a `SecondFactorRequired` (`mfaRequired: true`). */
  mfaRequired?: false;
}

/** What a sign-in ends in: a session, or the pending step when the account has MFA (§7). */
export type SignInOutcome = IssuedSession | SecondFactorRequired;

/**
 * What a sign-in proved beyond its first factor. `multiFactor`: the first factor is two by
 * itself (a passkey with user verification). `secondFactor`: the pending step was completed
 * (`completeSecondFactor`) by the user signing in.
 */
export interface SignInProof extends FirstFactorProof {
  secondFactor?: CompletedSecondFactor;
}

export function toPublicSession(record: SessionRecord): Session {
  return {
    id: record.id,
    userId: record.userId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    ip: record.ip,
    userAgent: record.userAgent,
  };
}

export async function createSession(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
): Promise<IssuedSession> {
  const now = ctx.now();
  const { maxAge, absoluteLifetime } = ctx.config.session;
  const token = newOpaqueToken(ctx.config.random);
  const record: SessionRecord = {
    id: token.id,
    secretHash: hashOpaqueSecret(token.secret),
    userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + maxAge * 1000),
    absoluteExpiresAt: new Date(now.getTime() + absoluteLifetime * 1000),
    ip: info.ip ?? null,
    userAgent: info.userAgent?.slice(0, 512) ?? null,
  };
  await ctx.storage.sessions.create(record);
  return { session: toPublicSession(record), token: formatOpaqueToken(token) };
}

/** The session `id` if it is live at `now`, else null. A read: it writes nothing. */
export async function findLiveSession(
  ctx: AuthContext,
  id: string,
  now: Date = ctx.now(),
): Promise<SessionRecord | null> {
  const record = await ctx.storage.sessions.get(id);
  return record && isLive(record, now) ? record : null;
}

/**
 * The session `id` and its user, when the session is live at `now`, passes `accept` (a secret
 * or subject check) and its user is not disabled (should a revocation have been missed, the
 * credential still fails: the user row is read here anyway). One storage call when the sessions
 * port has `getWithUser`; otherwise `get`, then `users.findById` only for a session that passed,
 * or, when the session's `owner` is known already (a token's subject, a session seen before),
 * both reads at once: one round trip's wait across two stores (Redis sessions, SQL users).
 * A read: whatever it finds (an expired session included) it writes nothing; `purgeExpired`
 * reclaims expired rows.
 */
export async function findLiveSessionWithUser(
  ctx: AuthContext,
  id: string,
  accept: (record: SessionRecord) => boolean,
  now: Date = ctx.now(),
  owner?: string,
): Promise<{ session: SessionRecord; user: User } | null> {
  const { sessions, users } = ctx.storage;
  if (sessions.getWithUser) {
    const found = await sessions.getWithUser(id);
    return found && isLive(found.session, now) && accept(found.session) && !isDisabled(found.user)
      ? found
      : null;
  }
  const [session, guessed] = await Promise.all([
    sessions.get(id),
    owner === undefined ? null : users.findById(owner),
  ]);
  if (!session || !isLive(session, now) || !accept(session)) return null;
  const user = owner === session.userId ? guessed : await users.findById(session.userId);
  return user && !isDisabled(user) ? { session, user } : null;
}

/**
 * The guard's answer from the session cache (`ctx.sessionCache`, src/cache/session-cache.ts),
 * without touching storage: the cached entry (hand out `cache.result(entry)`, never the entry);
 * null when the cached session refuses `accept` (a session's secret hash and user never
 * change, so storage would refuse it too); undefined when storage must decide: no entry the
 * cache can vouch for, or a cached copy that has expired at `now` (another instance may have
 * slid it since). Disabled users are never cached, and any change to the session or user drops
 * the entry.
 */
export function cachedSessionWithUser(
  cache: SessionCache,
  id: string,
  accept: (record: SessionRecord) => boolean,
  now: Date,
): CachedSession | null | undefined {
  const entry = cache.lookup(id, now.getTime());
  if (!entry) return undefined;
  if (!accept(entry.session)) return null;
  return isLive(entry.session, now) ? entry : undefined;
}

/**
 * `findLiveSessionWithUser`, keeping what it finds in the session cache, unless the session or
 * its user changed while it was being read (the cache's ticket). `owner`: the user the session
 * should belong to, when known; else the cache may remember it from an earlier read.
 */
export async function findAndCacheSessionWithUser(
  ctx: AuthContext,
  id: string,
  accept: (record: SessionRecord) => boolean,
  now: Date,
  owner?: string,
): Promise<{ session: SessionRecord; user: User } | null> {
  const cache = ctx.sessionCache;
  if (!cache) return findLiveSessionWithUser(ctx, id, accept, now, owner);
  const ticket = cache.ticket();
  const found = await findLiveSessionWithUser(ctx, id, accept, now, owner ?? cache.ownerOf(id));
  if (found) cache.store(ticket, found, now.getTime());
  return found;
}

/**
 * The session and user behind a token, or null. A live session slides (`slideSession`: at most
 * once per `updateAge`, so an active session does not write on every request); nothing else is
 * written: an expired session is refused and left for `purgeExpired`. A session cache hit reads
 * nothing and does not wait for its slide (`slideFromCache`).
 */
export function validateSessionToken(ctx: AuthContext, token: string): Promise<AuthResult | null> {
  try {
    const answer = sessionOfToken(ctx, token);
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `validateSessionToken` for the guard's path: the answer itself, not a promise, when the token
 * is malformed or the session cache can answer (nothing to wait for); a promise when storage
 * must be read.
 */
export function sessionOfToken(ctx: AuthContext, token: string): CallerNowOrLater {
  const now = ctx.now();
  const cache = ctx.sessionCache;
  if (cache) {
    const cached = sessionFromCache(ctx, cache, token, now);
    if (cached !== undefined) return cached;
  }
  const parsed = parseOpaqueToken(token);
  if (!parsed) return null;
  return readSession(
    ctx,
    parsed.id,
    (record) => opaqueSecretMatches(parsed.secret, record.secretHash),
    now,
  );
}

/**
 * A session-cache hit's answer for `token` (null when its secret is wrong: a session's secret
 * hash never changes, so storage would refuse it too), or undefined when storage must decide.
 * Every request with a session cookie takes this path, so it cuts the id at the issued lengths
 * instead of running `parseOpaqueToken`'s pattern: what the alphabet check would refuse cannot
 * get through, because the secret must then hash to what was stored for the token we issued.
 * A miss goes on to the full parse before storage is asked anything.
 */
function sessionFromCache(
  ctx: AuthContext,
  cache: SessionCache,
  token: string,
  now: Date,
): AuthResult | null | undefined {
  const { idLength, secretLength } = OPAQUE_TOKEN_SHAPE;
  if (token.length !== idLength + 1 + secretLength || token.charCodeAt(idLength) !== DOT) {
    return undefined;
  }
  const secret = token.slice(idLength + 1);
  const entry = cachedSessionWithUser(
    cache,
    token.slice(0, idLength),
    (record) => opaqueSecretMatches(secret, record.secretHash),
    now,
  );
  if (!entry) return entry;
  return cache.result(entry, slideFromCache(ctx, cache, entry, now));
}

const DOT = 0x2e;

async function readSession(
  ctx: AuthContext,
  id: string,
  accept: (record: SessionRecord) => boolean,
  now: Date,
): Promise<AuthResult | null> {
  const found = await findAndCacheSessionWithUser(ctx, id, accept, now);
  if (!found) return null;
  const session = await slideSession(ctx, found.session, now);
  return { user: found.user, session: toPublicSession(session) };
}

/**
 * The slide of a session served from the cache, off the request's path: the cache takes the
 * new expiry at once (so concurrent requests do not write it again) and the write goes on in
 * the background. Should it fail, the entry is dropped: the next request reads storage and
 * slides there, where a failure is reported as on any read. Until then nothing is lost: a
 * slide is due long before the session would expire (`maxAge - updateAge` ahead).
 */
function slideFromCache(
  ctx: AuthContext,
  cache: SessionCache,
  { session }: CachedSession,
  now: Date,
): Date {
  const expiresAt = slideTarget(session, now, ctx.config.session);
  if (!expiresAt) return session.expiresAt;
  cache.slid(session.id, expiresAt);
  ctx.storage.sessions.updateExpiry(session.id, expiresAt).catch(() => {
    cache.invalidate({ kind: "session", id: session.id });
  });
  return expiresAt;
}

export async function listSessions(ctx: AuthContext, userId: string): Promise<Session[]> {
  const now = ctx.now();
  const records = await ctx.storage.sessions.listByUser(userId);
  return records.filter((record) => isLive(record, now)).map(toPublicSession);
}

/**
 * Ends one session. Every revocation goes through here or `revokeUserSessions`, so anything
 * that must follow a revocation (tokens minted for the session) has one place to hook in.
 */
export async function endSession(ctx: AuthContext, sessionId: string): Promise<void> {
  await revokeSessionTokens(ctx, [sessionId]);
  await ctx.storage.sessions.delete(sessionId);
}

/**
 * Ends the session behind a token (logout, or a sign-in replacing a presented cookie). A token of
 * ours ends its session even when it has expired, as it did when validating deleted expired
 * sessions: this is a write anyway. Malformed, unknown and forged tokens are ignored.
 */
export async function endSessionByToken(ctx: AuthContext, token: string): Promise<void> {
  const parsed = parseOpaqueToken(token);
  if (!parsed) return;
  const record = await ctx.storage.sessions.get(parsed.id);
  if (record && opaqueSecretMatches(parsed.secret, record.secretHash)) {
    await endSession(ctx, record.id);
  }
}

/**
 * Opens the session of a completed sign-in and emits `user.signed_in` with how it was made.
 * Every sign-in goes through here; `createSession` alone is for sessions that are not one.
 * A disabled (or meanwhile deleted) account is refused here, whatever the method. An account
 * with MFA gets the pending step instead of a session (`secondFactorGate`), unless `proof` says
 * the second factor was proven.
 */
export async function signIn(
  ctx: AuthContext,
  userId: string,
  method: SignInMethod,
  info: RequestInfo = {},
  proof: SignInProof = {},
): Promise<SignInOutcome> {
  const pending = await secondFactorGate(ctx, userId, method, proof);
  if (pending) return pending;
  const issued = await createSession(ctx, userId, info);
  await refuseUnlessEnabled(ctx, userId, issued.session.id, method, info);
  await announceSignIn(ctx, userId, method, issued.session.id, info, proof.secondFactor);
  return issued;
}

/**
 * The second-factor gate (DESIGN §7), here because every first factor passes through `signIn`:
 * a sign-in method added later cannot forget it. Null when a session may open: MFA off, a first
 * factor that is two factors by itself, or a second factor completed for this very user.
 */
function secondFactorGate(
  ctx: AuthContext,
  userId: string,
  method: SignInMethod,
  proof: SignInProof,
): Promise<SecondFactorRequired | null> {
  if (proof.secondFactor && proof.secondFactor.user.id === userId) return Promise.resolve(null);
  return requireSecondFactor(ctx, { userId, method }, { multiFactor: proof.multiFactor });
}

/**
 * Checked after the session is stored, not before: `disableUser` marks the user, then revokes
 * its sessions, so a disable racing this sign-in either finds the new session (and revokes it)
 * or is seen by this read. The refused session ends at once, and a disabled account's attempt
 * is recorded as `user.sign_in_failed` (`account_disabled`), whatever the method.
 */
async function refuseUnlessEnabled(
  ctx: AuthContext,
  userId: string,
  sessionId: string,
  method: SignInMethod,
  info: RequestInfo,
): Promise<void> {
  // Fresh: a lagging read replica could still show an account disabled a moment ago as enabled.
  const user = await ctx.storage.users.findById(userId, { fresh: true });
  if (user && !isDisabled(user)) return;
  await endSession(ctx, sessionId);
  if (!user) throw new AuthError("unauthenticated", "The account no longer exists");
  await ctx.events.emit(
    "user.sign_in_failed",
    { userId, ...info },
    { method, reason: "account_disabled" },
  );
  throw accountDisabled();
}

/**
 * Emits `user.signed_in` for a session opened by `createSession` (see `signIn`); a sign-in
 * completed by a second factor names both factors.
 */
export async function announceSignIn(
  ctx: AuthContext,
  userId: string,
  method: SignInMethod,
  sessionId: string,
  info: RequestInfo = {},
  secondFactor?: CompletedSecondFactor,
): Promise<void> {
  const factors = secondFactor
    ? { firstFactor: secondFactor.firstFactor, secondFactor: secondFactor.secondFactor }
    : {};
  await ctx.events.emit("user.signed_in", { userId, ...info }, { method, sessionId, ...factors });
}

/** Signs out: ends the session and emits `user.signed_out`. */
export async function signOut(
  ctx: AuthContext,
  session: { id: string; userId: string },
  info: RequestInfo = {},
): Promise<void> {
  await endSession(ctx, session.id);
  await ctx.events.emit(
    "user.signed_out",
    { userId: session.userId, ...info },
    {
      sessionId: session.id,
    },
  );
}

/** Signs out the session behind a token (`auth.api.logout`); unknown tokens are ignored. */
export async function signOutByToken(ctx: AuthContext, token: string): Promise<void> {
  const parsed = parseOpaqueToken(token);
  if (!parsed) return;
  const record = await ctx.storage.sessions.get(parsed.id);
  if (record && opaqueSecretMatches(parsed.secret, record.secretHash)) {
    await signOut(ctx, record);
  }
}

/** Revokes one of the user's sessions; false when the user has no such session. */
export async function revokeSession(
  ctx: AuthContext,
  userId: string,
  sessionId: string,
  info: RequestInfo = {},
): Promise<boolean> {
  const record = await ctx.storage.sessions.get(sessionId);
  // Someone else's session answers exactly like a missing one.
  if (!record || record.userId !== userId) return false;
  await endSession(ctx, sessionId);
  await ctx.events.emit(
    "session.revoked",
    { userId, ...info },
    {
      sessionIds: [sessionId],
      reason: "revoked",
    },
  );
  return true;
}

/**
 * Revokes every session of the user but `exceptSessionId`; returns the revoked ids, and emits
 * `session.revoked` with `reason` when there were any.
 */
export async function revokeUserSessions(
  ctx: AuthContext,
  userId: string,
  exceptSessionId?: string,
  reason: SessionEndReason = "revoked",
): Promise<string[]> {
  const revoked = await ctx.storage.sessions.deleteByUser(userId, exceptSessionId);
  await revokeSessionTokens(ctx, revoked);
  if (revoked.length > 0) {
    await ctx.events.emit("session.revoked", { userId }, { sessionIds: revoked, reason });
  }
  return revoked;
}
