import { assertEmailVerified } from "../accounts/email-verified.js";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { AuthError, isAuthError } from "../errors.js";
import { afterRegistration } from "../flows/email-verification.js";
import { type SignInResult, withUser } from "../flows/password-accounts.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import type { ProviderIdentity } from "./identity.js";
import { linkedAccounts, oauthOptions } from "./providers.js";
import { sealTokens } from "./stored-tokens.js";

/*
 * The linking rules (DESIGN §8): which account an identity from a provider signs in, and when
 * it may be linked to one. They are what stands between social sign-in and the account
 * takeovers the field keeps having:
 *
 * - A linked identity signs in its user, whatever email the provider gives today.
 * - A new identity is linked to an existing account by email only when the provider asserts
 *   the email verified AND the account's email is verified. Otherwise `account_exists`: an
 *   unverified address at the provider proves nothing (anyone can type one in at some IdPs),
 *   and an unverified local account may be a squatter's, registered with the victim's address
 *   before the victim signs in with Google (pre-registration takeover).
 * - A new identity matching no account creates one (unless `oauth.signUp` is off).
 * - A signed-in user links an identity explicitly (`linkIdentity`); it must not belong to
 *   anyone else already.
 */

/** What a sign-in with a provider ended in. */
export interface OAuthSignIn {
  result: SignInResult;
  /** True when the identity created the account. */
  registered: boolean;
}

export const accountExists = (provider: OAuthProvider) =>
  new AuthError(
    "account_exists",
    `An account with this email exists already. Sign in to it another way (or reset its password), then link ${provider.name} from your account`,
  );

/**
 * Links the identity to the user; false when it is linked already (to anyone). `oauth.linked`
 * is the caller's to emit, after whatever the link is part of (a sign-up is announced first).
 */
async function storeLink(
  ctx: AuthContext,
  userId: string,
  provider: OAuthProvider,
  identity: ProviderIdentity,
): Promise<boolean> {
  const { profile } = identity;
  return linkedAccounts(ctx).create({
    id: randomId(ctx.config.random),
    provider: provider.id,
    subject: profile.subject,
    userId,
    email: profile.email,
    tokens: await sealTokens(ctx, identity.tokens),
    createdAt: ctx.now(),
  });
}

const announceLink = (
  ctx: AuthContext,
  userId: string,
  provider: OAuthProvider,
  info: RequestInfo,
) => ctx.events.emit("oauth.linked", { userId, ...info }, { provider: provider.id });

/** Links the identity to the user and says so; false when it is linked already. */
async function link(
  ctx: AuthContext,
  userId: string,
  provider: OAuthProvider,
  identity: ProviderIdentity,
  info: RequestInfo,
): Promise<boolean> {
  const created = await storeLink(ctx, userId, provider, identity);
  if (created) await announceLink(ctx, userId, provider, info);
  return created;
}

async function signInUser(
  ctx: AuthContext,
  user: User,
  info: RequestInfo,
  registered: boolean,
): Promise<OAuthSignIn> {
  // As for a password: with emailVerification.required an unverified account does not sign in.
  assertEmailVerified(ctx, user);
  return { result: withUser(user, await signIn(ctx, user.id, "oauth", info)), registered };
}

/** A new account for a new identity, linked to it; null when another request won the race. */
async function signUp(
  ctx: AuthContext,
  provider: OAuthProvider,
  identity: ProviderIdentity,
  info: RequestInfo,
): Promise<User | null> {
  const { profile } = identity;
  if (!oauthOptions(ctx).signUp) {
    throw new AuthError(
      "forbidden",
      `No account is linked to this ${provider.name} account: sign in another way and link it from your account`,
    );
  }
  if (profile.email === null) {
    throw new AuthError(
      "forbidden",
      `${provider.name} did not share an email address: allow it to, or sign up another way`,
    );
  }
  if (ctx.config.emailVerification.required && !profile.emailVerified) {
    // Such an account could not sign in, and its first verification would evict the identity.
    throw new AuthError(
      "email_not_verified",
      `${provider.name} has not verified this email address: verify it there, or sign up another way`,
    );
  }
  let user: User;
  try {
    user = await ctx.storage.users.create({
      id: randomId(ctx.config.random),
      email: profile.email,
      emailVerified: profile.emailVerified,
      name: profile.name,
      createdAt: ctx.now(),
    });
  } catch (error) {
    // Registered meanwhile (another tab's callback, a password sign-up): decide again.
    if (isAuthError(error) && error.code === "email_taken") return null;
    throw error;
  }
  if (!(await storeLink(ctx, user.id, provider, identity))) {
    // The same identity signed up in a concurrent callback: keep theirs, drop ours.
    await ctx.storage.users.delete(user.id);
    return null;
  }
  await ctx.events.emit(
    "user.registered",
    { userId: user.id, ...info },
    { method: "oauth", email: user.email },
  );
  await announceLink(ctx, user.id, provider, info);
  // An address the provider did not verify gets the usual verification mail, when it is on.
  if (!user.emailVerified) await afterRegistration(ctx, user);
  return user;
}

/**
 * Signs in with an identity the provider vouched for, by the rules above. `account_exists` when
 * the email belongs to an account the identity may not be linked to automatically.
 */
export async function signInWithIdentity(
  ctx: AuthContext,
  provider: OAuthProvider,
  identity: ProviderIdentity,
  info: RequestInfo = {},
  attempt = 0,
): Promise<OAuthSignIn> {
  const { profile } = identity;
  const accounts = linkedAccounts(ctx);
  const linked = await accounts.find(provider.id, profile.subject);
  if (linked) {
    const user = await ctx.storage.users.findById(linked.userId);
    if (!user) throw new AuthError("unauthenticated", "The account no longer exists");
    const tokens = await sealTokens(ctx, identity.tokens);
    if (tokens !== null) await accounts.setTokens(user.id, linked.id, tokens);
    return signInUser(ctx, user, info, false);
  }
  const existing = profile.email ? await ctx.storage.users.findByEmail(profile.email) : null;
  if (existing) {
    if (!(profile.emailVerified && existing.emailVerified)) throw accountExists(provider);
    if (await link(ctx, existing.id, provider, identity, info)) {
      return signInUser(ctx, existing, info, false);
    }
  } else {
    const created = await signUp(ctx, provider, identity, info);
    if (created) return signInUser(ctx, created, info, true);
  }
  // Lost a race to a concurrent callback or sign-up: the state is now settled, decide once more.
  if (attempt > 0) throw new AuthError("unavailable", "Sign-in conflicted with another; try again");
  return signInWithIdentity(ctx, provider, identity, info, attempt + 1);
}

/** An identity as its owner sees it in their list. */
export interface LinkedAccount {
  /** Names it to unlink it: `DELETE /auth/oauth/accounts/:id`. */
  id: string;
  provider: string;
  /** The address the provider gave when it was linked, if any. */
  email: string | null;
  createdAt: Date;
}

/**
 * Links the identity to the signed-in user who started the attempt (`POST
 * /auth/oauth/:provider/link`). Refused when it belongs to another user: whoever holds it
 * unlinks it there first. Linking an identity the user has already is a no-op.
 */
export async function linkIdentity(
  ctx: AuthContext,
  userId: string,
  provider: OAuthProvider,
  identity: ProviderIdentity,
  info: RequestInfo = {},
): Promise<LinkedAccount> {
  const accounts = linkedAccounts(ctx);
  const { subject } = identity.profile;
  if (!(await ctx.storage.users.findById(userId))) {
    throw new AuthError("unauthenticated", "The account no longer exists");
  }
  if (!(await accounts.find(provider.id, subject)))
    await link(ctx, userId, provider, identity, info);
  const linked = await accounts.find(provider.id, subject);
  if (!linked || linked.userId !== userId) {
    throw new AuthError(
      "forbidden",
      `This ${provider.name} account is linked to another account: sign in with it and unlink it there first`,
    );
  }
  return toLinkedAccount(linked);
}

export function toLinkedAccount(record: {
  id: string;
  provider: string;
  email: string | null;
  createdAt: Date;
}): LinkedAccount {
  return {
    id: record.id,
    provider: record.provider,
    email: record.email,
    createdAt: record.createdAt,
  };
}
