import { removeUnlessLastWayIn } from "../accounts/sign-in-methods.js";
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
 * Unlinks one of the user's identities (`DELETE /auth/oauth/accounts/:id`). The last one is kept
 * when it is the user's only way to sign in (`removeUnlessLastWayIn`), so neither two concurrent
 * unlinks nor an unlink racing a passkey delete can leave the account without a way in. Emits
 * `oauth.unlinked`.
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
  const outcome = await removeUnlessLastWayIn(ctx, userId, account, {
    kind: "linkedAccounts",
    remove: ({ keepLast }) => accounts.delete(userId, accountId, { keepLast }),
    restore: (row) => accounts.create(row),
  });
  if (outcome === "not_found") throw new AuthError("not_found", "No such linked account");
  if (outcome === "last") {
    throw new AuthError(
      "forbidden",
      "This is your only way to sign in: set a password or add a passkey before you unlink it",
    );
  }
  await ctx.events.emit("oauth.unlinked", { userId, ...info }, { provider: account.provider });
}
