import type { AuthContext } from "../context/context.js";

/*
 * The one rule for "can this account still get in": removing a passkey or unlinking an
 * identity must never leave an account without a way to sign in. Passkeys and linked
 * identities live in different ports, and each port's `keepLast` only protects against a
 * concurrent delete in its own table; `removeUnlessLastWayIn` closes the gap between them.
 */

/** A kind of sign-in method a user can remove. */
export type RemovableMethod = "passkeys" | "linkedAccounts";

/**
 * Whether the user can sign in without any of `except`: with a password, by magic link while
 * the app has magic links on (the link goes to the account's address, which the user
 * controls), with a passkey, or with an identity linked at a provider the app still offers (one
 * whose provider was removed from `oauth.providers` signs in no one). Without `except`: whether
 * the user can sign in at all.
 */
export async function canSignInWithout(
  ctx: AuthContext,
  userId: string,
  except?: RemovableMethod,
): Promise<boolean> {
  if (ctx.mail.features.magicLink) return true;
  if ((await ctx.storage.passwords.get(userId)) !== null) return true;
  if (except !== "passkeys" && (await ctx.storage.passkeys.listByUser(userId)).length > 0) {
    return true;
  }
  if (except === "linkedAccounts") return false;
  const providers = ctx.config.oauth?.providers ?? [];
  if (providers.length === 0 || !ctx.storage.accounts) return false;
  const linked = await ctx.storage.accounts.listByUser(userId);
  return linked.some((account) => providers.some(({ id }) => id === account.provider));
}

/** How one kind of method is removed, and put back. */
export interface Removal<Row> {
  kind: RemovableMethod;
  /** The port's delete of the user's row, with `keepLast` when the row may be the last way in. */
  remove(options: { keepLast: boolean }): Promise<"deleted" | "not_found" | "last">;
  /** Stores `row` again, as it was. */
  restore(row: Row): Promise<unknown>;
}

/**
 * Removes one of the user's sign-in methods (`row`, read before) unless that leaves the account
 * without a way in, answering as the port's delete does ("last" when refused).
 *
 * First, as before: when nothing else lets the user in, the port's atomic `keepLast` keeps the
 * last row of its table against a concurrent delete in the same table. Then, after the delete,
 * everything is checked again: when a concurrent removal of another kind (an unlink racing a
 * passkey delete) has meanwhile left nothing, the row is stored again and the answer is "last".
 * Of any such race the removal that came last sees the others' deletes and puts its own row
 * back, so the account always keeps a way in; at worst both requests are refused and the user
 * tries again.
 */
export async function removeUnlessLastWayIn<Row>(
  ctx: AuthContext,
  userId: string,
  row: Row,
  removal: Removal<Row>,
): Promise<"deleted" | "not_found" | "last"> {
  const keepLast = !(await canSignInWithout(ctx, userId, removal.kind));
  const outcome = await removal.remove({ keepLast });
  if (outcome !== "deleted" || keepLast) return outcome;
  if (await canSignInWithout(ctx, userId)) return outcome;
  await removal.restore(row);
  return "last";
}
