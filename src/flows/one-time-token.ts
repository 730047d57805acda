import type { AuthContext } from "../context/context.js";
import { randomToken } from "../crypto/random.js";
import { sha256Base64url } from "../crypto/sha256.js";
import { AuthError } from "../errors.js";
import type { MailType } from "../mail/message.js";
import type { VerificationRecord } from "../storage/ports.js";

/*
 * The single-use link tokens of the email flows. Each is 256 random bits; storage keeps only its
 * SHA-256 (the record id), so a database leak yields no usable link. A token is bound to its
 * purpose by the store's `consume`: a reset token is not a magic link.
 */

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const invalidToken = () =>
  new AuthError("token_invalid", "This link is invalid, expired or already used");

export interface TokenRequest {
  purpose: string;
  userId: string | null;
  /** The address the token is mailed to; checked again when it is used. */
  identifier: string;
  data?: Record<string, unknown>;
  ttlSeconds: number;
}

/** Stores a new token's hash; returns the token, to be mailed and never kept. */
export async function issueToken(ctx: AuthContext, request: TokenRequest): Promise<string> {
  const token = randomToken(ctx.config.random);
  const now = ctx.now();
  await ctx.storage.verifications.create({
    id: sha256Base64url(token),
    purpose: request.purpose,
    userId: request.userId,
    identifier: request.identifier,
    data: request.data ? JSON.stringify(request.data) : null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + request.ttlSeconds * 1000),
  });
  return token;
}

/** Atomically takes the token's record; throws `token_invalid` when there is none for `purpose`. */
export async function consumeToken(
  ctx: AuthContext,
  token: unknown,
  purpose: string,
): Promise<VerificationRecord> {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) throw invalidToken();
  const record = await ctx.storage.verifications.consume(
    sha256Base64url(token),
    purpose,
    ctx.now(),
  );
  if (!record) throw invalidToken();
  return record;
}

/** The record's JSON data, or an empty object. */
export function tokenData(record: VerificationRecord): Record<string, unknown> {
  if (!record.data) return {};
  try {
    const data = JSON.parse(record.data);
    return typeof data === "object" && data !== null ? data : {};
  } catch {
    return {};
  }
}

/** A link to one of the library's own routes, e.g. `/magic-link/verify?token=...`. */
export function authURL(ctx: AuthContext, path: string, params: Record<string, string>): string {
  const url = new URL(`${ctx.config.basePath}${path}`, ctx.config.origin);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * The work of issuing a token and queueing its mail, without the effects, for requests about an
 * address that has no account: a storage write in each port and the same rendering and sealing,
 * so the response takes about as long either way and the timing does not reveal which
 * addresses have accounts. The real mail is sent in the background, so it adds nothing.
 */
export async function balanceMissingAccount(
  ctx: AuthContext,
  purpose: string,
  type: MailType,
  email: string,
): Promise<void> {
  const token = randomToken(ctx.config.random);
  await ctx.storage.verifications.consume(sha256Base64url(token), purpose, ctx.now());
  await ctx.mail.rehearse(type, email, { url: authURL(ctx, "/", { token }) });
}

/** Email features switched off answer like a route that does not exist. */
export function requireFeature(enabled: boolean): void {
  if (!enabled) throw new AuthError("not_found", "Not found");
}
