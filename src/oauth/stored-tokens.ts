import type * as oauth from "oauth4webapi";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { payloadCipher } from "../outbox/payload-cipher.js";
import { linkedAccounts, oauthOptions } from "./providers.js";

/*
 * `oauth.storeTokens`: the provider's tokens kept with the linked identity, for apps that call
 * the provider's API on the user's behalf. They are bearer secrets, so they rest sealed
 * (AES-256-GCM, a key derived from `secret` for this purpose alone). Off, nothing is kept.
 */

const CIPHER_PURPOSE = "portcullis oauth tokens v1";

/** The provider's tokens of a linked identity, as `auth.api.getOAuthTokens` returns them. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  /** When the access token expires, if the provider said. */
  expiresAt: Date | null;
  /** The scopes granted, space-separated, if the provider said. */
  scope: string | null;
}

const cipher = (ctx: AuthContext) =>
  payloadCipher(ctx.config.secret, ctx.config.random, CIPHER_PURPOSE);

/** The tokens sealed for storage, or null when `oauth.storeTokens` is off. */
export async function sealTokens(
  ctx: AuthContext,
  tokens: oauth.TokenEndpointResponse,
): Promise<string | null> {
  if (!oauthOptions(ctx).storeTokens) return null;
  const expiresIn = typeof tokens.expires_in === "number" ? tokens.expires_in : null;
  const kept = {
    accessToken: tokens.access_token,
    refreshToken: typeof tokens.refresh_token === "string" ? tokens.refresh_token : null,
    expiresAt: expiresIn === null ? null : ctx.now().getTime() + expiresIn * 1000,
    scope: typeof tokens.scope === "string" ? tokens.scope : null,
  };
  return cipher(ctx).seal(JSON.stringify(kept));
}

/**
 * The stored tokens of the user's linked identity `accountId`: null when none were stored (the
 * option was off then) or they cannot be opened (`secret` changed). `not_found` when the user
 * has no such identity.
 */
export async function getOAuthTokens(
  ctx: AuthContext,
  userId: string,
  accountId: string,
): Promise<OAuthTokens | null> {
  const account = (await linkedAccounts(ctx).listByUser(userId)).find((a) => a.id === accountId);
  if (!account) throw new AuthError("not_found", "No such linked account");
  if (account.tokens === null) return null;
  const plain = await cipher(ctx).open(account.tokens);
  if (plain === null) return null;
  const kept = JSON.parse(plain) as Omit<OAuthTokens, "expiresAt"> & { expiresAt: number | null };
  return { ...kept, expiresAt: kept.expiresAt === null ? null : new Date(kept.expiresAt) };
}
