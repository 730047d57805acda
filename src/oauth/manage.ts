import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import type { RequestInfo } from "../types.js";
import { type LinkedAccount, toLinkedAccount } from "./linking.js";
import { linkedAccounts } from "./providers.js";

/*
 * A signed-in user's linked identities: listed, and unlinked one at a time. Every store call is
 * scoped by the user's id; someone else's identity answers exactly like a missing one.
 */

/** The user's linked identities, oldest first; none when the storage keeps none. */
export async function listLinkedAccounts(
  ctx: AuthContext,
  userId: string,
): Promise<LinkedAccount[]> {
  if (!ctx.storage.accounts) return [];
  return (await ctx.storage.accounts.listByUser(userId)).map(toLinkedAccount);
}

/**
 * Whether the user can sign in without any linked identity: with a password, a passkey, or a
 * mailed link or code when the app has those on (they go to the account's address, which the
 * user controls). Magic links count only while the feature is on: an app that turns them off
 * later must not leave an account without a way in.
 */
async function hasOtherSignInMethod(ctx: AuthContext, userId: string): Promise<boolean> {
  if (ctx.mail.features.magicLink) return true;
  if ((await ctx.storage.passwords.get(userId)) !== null) return true;
  return (await ctx.storage.passkeys.listByUser(userId)).length > 0;
}

/**
 * Unlinks one of the user's identities (`DELETE /auth/oauth/accounts/:id`). The last one is kept
 * when it is the user's only way to sign in, atomically, so two concurrent unlinks cannot remove
 * the last two together. Emits `oauth.unlinked`.
 */
export async function unlinkAccount(
  ctx: AuthContext,
  userId: string,
  accountId: string,
  info: RequestInfo = {},
): Promise<void> {
  const accounts = linkedAccounts(ctx);
  const account = (await accounts.listByUser(userId)).find(
    (candidate) => candidate.id === accountId,
  );
  if (!account) throw new AuthError("not_found", "No such linked account");
  const keepLast = !(await hasOtherSignInMethod(ctx, userId));
  const outcome = await accounts.delete(userId, accountId, { keepLast });
  if (outcome === "not_found") throw new AuthError("not_found", "No such linked account");
  if (outcome === "last") {
    throw new AuthError(
      "forbidden",
      "This is your only way to sign in: set a password or add a passkey before you unlink it",
    );
  }
  await ctx.events.emit("oauth.unlinked", { userId, ...info }, { provider: account.provider });
}
