import type { AuthContext } from "../context/context.js";
import { constantTimeEqual } from "../crypto/constant-time.js";
import { sha256Base64url } from "../crypto/sha256.js";
import type { SessionRecord } from "../storage/ports.js";
import type { AuthResult, RequestInfo, Session } from "../types.js";
import { revokeSessionTokens } from "./revocation.js";
import { formatSessionToken, newSessionToken, parseSessionToken } from "./session-token.js";

export interface IssuedSession {
  session: Session;
  /** The bearer secret for the cookie: shown once, never stored. */
  token: string;
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
  const token = newSessionToken(ctx.config.random);
  const record: SessionRecord = {
    id: token.id,
    secretHash: sha256Base64url(token.secret),
    userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + maxAge * 1000),
    absoluteExpiresAt: new Date(now.getTime() + absoluteLifetime * 1000),
    ip: info.ip ?? null,
    userAgent: info.userAgent?.slice(0, 512) ?? null,
  };
  await ctx.storage.sessions.create(record);
  return { session: toPublicSession(record), token: formatSessionToken(token) };
}

/**
 * The session and user behind a token, or null. Slides the expiry forward, at most once per
 * `updateAge`, so an active session does not write on every request.
 */
export async function validateSessionToken(
  ctx: AuthContext,
  token: string,
): Promise<AuthResult | null> {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const record = await ctx.storage.sessions.get(parsed.id);
  if (!record || !constantTimeEqual(record.secretHash, sha256Base64url(parsed.secret))) return null;
  const now = ctx.now();
  if (record.expiresAt <= now || record.absoluteExpiresAt <= now) {
    await endSession(ctx, record.id);
    return null;
  }
  const user = await ctx.storage.users.findById(record.userId);
  if (!user) return null;
  const { maxAge, updateAge } = ctx.config.session;
  const slideAfter = record.expiresAt.getTime() - (maxAge - updateAge) * 1000;
  if (now.getTime() >= slideAfter) {
    const expiresAt = new Date(
      Math.min(now.getTime() + maxAge * 1000, record.absoluteExpiresAt.getTime()),
    );
    await ctx.storage.sessions.updateExpiry(record.id, expiresAt);
    record.expiresAt = expiresAt;
  }
  return { user, session: toPublicSession(record) };
}

export async function listSessions(ctx: AuthContext, userId: string): Promise<Session[]> {
  const now = ctx.now();
  const records = await ctx.storage.sessions.listByUser(userId);
  return records
    .filter((record) => record.expiresAt > now && record.absoluteExpiresAt > now)
    .map(toPublicSession);
}

/**
 * Ends one session. Every revocation goes through here or `revokeUserSessions`, so anything
 * that must follow a revocation (tokens minted for the session) has one place to hook in.
 */
export async function endSession(ctx: AuthContext, sessionId: string): Promise<void> {
  await revokeSessionTokens(ctx, [sessionId]);
  await ctx.storage.sessions.delete(sessionId);
}

/** Ends the session behind a token, if there is one; unknown or expired tokens are ignored. */
export async function endSessionByToken(ctx: AuthContext, token: string): Promise<void> {
  const current = await validateSessionToken(ctx, token);
  if (current) await endSession(ctx, current.session.id);
}

/** Revokes one of the user's sessions; false when the user has no such session. */
export async function revokeSession(
  ctx: AuthContext,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const record = await ctx.storage.sessions.get(sessionId);
  // Someone else's session answers exactly like a missing one.
  if (!record || record.userId !== userId) return false;
  await endSession(ctx, sessionId);
  return true;
}

/** Revokes every session of the user but `exceptSessionId`; returns the revoked ids. */
export async function revokeUserSessions(
  ctx: AuthContext,
  userId: string,
  exceptSessionId?: string,
): Promise<string[]> {
  const revoked = await ctx.storage.sessions.deleteByUser(userId, exceptSessionId);
  await revokeSessionTokens(ctx, revoked);
  return revoked;
}
