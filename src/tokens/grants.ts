import * as z from "zod";
import { emailField, passwordField } from "../accounts/fields.js";
import { verifyPasswordLogin } from "../accounts/password-login.js";
import type { AuthContext } from "../context/context.js";
import { constantTimeEqual } from "../crypto/constant-time.js";
import { AuthError } from "../errors.js";
import type { SecondFactorRequired } from "../mfa/pending-step.js";
import { limitPerIP } from "../ops/rate-limit.js";
import { slideSession } from "../sessions/lifetime.js";
import { endSession, findLiveSessionWithUser, signIn } from "../sessions/sessions.js";
import type { RefreshFamilyRecord, SessionRecord } from "../storage/ports.js";
import type { RequestInfo } from "../types.js";
import {
  formatOpaqueToken,
  hashOpaqueSecret,
  newOpaqueToken,
  parseOpaqueToken,
} from "../util/opaque-token.js";
import { parseInput } from "../validation.js";
import { issueAccessToken } from "./access-token.js";
import { successorSecret } from "./refresh-token.js";

/** What a grant hands out: the RFC 6749 token response, camel-cased, plus who it is for. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  /** Seconds until the access token expires. */
  expiresIn: number;
  userId: string;
  sessionId: string;
}

export const passwordGrantInput = z.object({ username: emailField, password: passwordField });
export const refreshGrantInput = z.object({
  refresh_token: z.string({ error: "refresh_token is required" }).min(1).max(512),
});

const invalidRefreshToken = () => new AuthError("token_invalid", "Invalid refresh token");

/**
 * A session that can still back tokens: live (`isLive`), the given user's, and that user not
 * disabled (read with the session, as the guard reads it).
 */
async function liveSession(
  ctx: AuthContext,
  sessionId: string,
  userId: string,
): Promise<SessionRecord | null> {
  const found = await findLiveSessionWithUser(ctx, sessionId, (record) => record.userId === userId);
  return found?.session ?? null;
}

async function tokenSet(
  ctx: AuthContext,
  family: { id: string; userId: string; sessionId: string },
  secret: string,
): Promise<TokenSet> {
  const access = await issueAccessToken(ctx, family);
  return {
    accessToken: access.token,
    refreshToken: formatOpaqueToken({ id: family.id, secret }),
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    userId: family.userId,
    sessionId: family.sessionId,
  };
}

/**
 * Starts a refresh-token family bound to a live session, and mints the first access token. The
 * family never outlives the session's absolute lifetime.
 */
export async function issueTokensForSession(
  ctx: AuthContext,
  subject: { userId: string; sessionId: string },
): Promise<TokenSet> {
  const session = await liveSession(ctx, subject.sessionId, subject.userId);
  if (!session) throw new AuthError("unauthenticated", "No such session");
  const now = ctx.now();
  const { id, secret } = newOpaqueToken(ctx.config.random);
  const family: RefreshFamilyRecord = {
    id,
    userId: session.userId,
    sessionId: session.id,
    secretHash: hashOpaqueSecret(secret),
    previousSecretHash: null,
    rotatedAt: null,
    createdAt: now,
    expiresAt: new Date(
      Math.min(
        now.getTime() + ctx.config.tokens.refreshTokenTTL * 1000,
        session.absoluteExpiresAt.getTime(),
      ),
    ),
  };
  await ctx.storage.refreshTokens.create(family);
  return tokenSet(ctx, family, secret);
}

/**
 * `grant_type=password`: the login flow's checks (per-IP limit shared with `/auth/login`, the
 * same per-account lockout), then a new session with a refresh family bound to it. For an
 * account with MFA, the pending step instead (`mfa_token`), which `mfaOtpGrant` completes.
 */
export async function passwordGrant(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<TokenSet | SecondFactorRequired> {
  const { username, password } = parseInput(passwordGrantInput, input);
  await limitPerIP(ctx, "login", info.ip);
  const user = await verifyPasswordLogin(ctx, username, password, { method: "token", info });
  const outcome = await signIn(ctx, user.id, "token", info);
  // An account with MFA: no tokens until `grant_type=mfa_otp` completes the pending step.
  if (outcome.mfaRequired) return outcome;
  return issueTokensForSession(ctx, { userId: user.id, sessionId: outcome.session.id });
}

/**
 * `grant_type=refresh_token`: rotates the family and mints a new access token.
 *
 * - The current secret rotates (compare-and-swap, so of concurrent refreshes one wins).
 * - The secret just replaced, presented again within `refreshReuseGrace` seconds of the
 *   rotation while its successor is still current, gets that same successor (its secret is
 *   derived from the presented one): a client that raced itself ends up with one live token.
 * - Any other secret of the family is a reuse (RFC 9700 §4.14.2): someone holds a token that
 *   was already rotated, so the whole family and its session are revoked.
 */
export async function refreshGrant(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<TokenSet> {
  const { refresh_token } = parseInput(refreshGrantInput, input);
  await limitPerIP(ctx, "token-refresh", info.ip);
  const token = parseOpaqueToken(refresh_token);
  if (!token) throw invalidRefreshToken();
  let family = await ctx.storage.refreshTokens.get(token.id);
  if (!family) throw invalidRefreshToken();
  const now = ctx.now();
  if (family.expiresAt <= now) {
    await ctx.storage.refreshTokens.delete(family.id);
    throw new AuthError("token_expired", "Refresh token has expired");
  }
  const presentedHash = hashOpaqueSecret(token.secret);
  const next = successorSecret(ctx.config.secret, token);
  const nextHash = hashOpaqueSecret(next);

  if (constantTimeEqual(presentedHash, family.secretHash)) {
    const session = await liveSession(ctx, family.sessionId, family.userId);
    if (!session) {
      await ctx.storage.refreshTokens.delete(family.id);
      throw invalidRefreshToken();
    }
    if (await ctx.storage.refreshTokens.rotate(family.id, presentedHash, nextHash, now)) {
      // A refresh is activity: the session slides as on a cookie request (one rule).
      await slideSession(ctx, session);
      return tokenSet(ctx, family, next);
    }
    // Lost a race with a concurrent rotation of the same secret: judge it as a replay below.
    family = await ctx.storage.refreshTokens.get(token.id);
    if (!family) throw invalidRefreshToken();
  }

  const graceMs = ctx.config.tokens.refreshReuseGrace * 1000;
  const withinGrace =
    graceMs > 0 &&
    family.previousSecretHash !== null &&
    constantTimeEqual(presentedHash, family.previousSecretHash) &&
    family.rotatedAt !== null &&
    now.getTime() - family.rotatedAt.getTime() <= graceMs &&
    constantTimeEqual(nextHash, family.secretHash);
  if (withinGrace && (await liveSession(ctx, family.sessionId, family.userId))) {
    return tokenSet(ctx, family, next);
  }
  await revokeFamily(ctx, family);
  // Someone holds a token that was already replaced: the family is revoked, and operators told.
  await ctx.events.emit(
    "refresh_token.reuse_detected",
    { userId: family.userId, ...info },
    {
      familyId: family.id,
      sessionId: family.sessionId,
    },
  );
  throw invalidRefreshToken();
}

/** Deletes the family and ends its session, which revokes the access tokens minted for it. */
async function revokeFamily(ctx: AuthContext, family: RefreshFamilyRecord): Promise<void> {
  await endSession(ctx, family.sessionId);
  await ctx.storage.refreshTokens.delete(family.id);
}

/** Revokes the family behind a refresh token; false when the token is not a live one of ours. */
export async function revokeRefreshToken(ctx: AuthContext, value: string): Promise<boolean> {
  const token = parseOpaqueToken(value);
  const family = token ? await ctx.storage.refreshTokens.get(token.id) : null;
  if (!token || !family) return false;
  const presentedHash = hashOpaqueSecret(token.secret);
  const known =
    constantTimeEqual(presentedHash, family.secretHash) ||
    (family.previousSecretHash !== null &&
      constantTimeEqual(presentedHash, family.previousSecretHash));
  if (!known) return false;
  await revokeFamily(ctx, family);
  return true;
}
