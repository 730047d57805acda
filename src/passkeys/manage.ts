import { z } from "zod";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import type { RequestInfo } from "../types.js";
import { parseInput } from "../validation.js";
import { type Passkey, toPublicPasskey } from "./passkey.js";
import { passkeyNameField } from "./schemas.js";

/*
 * A user sees and changes only their own passkeys: every store call is scoped by user id, and
 * someone else's passkey answers exactly like a missing one.
 */

export async function listPasskeys(ctx: AuthContext, userId: string): Promise<Passkey[]> {
  return (await ctx.storage.passkeys.listByUser(userId)).map(toPublicPasskey);
}

export const renameInput = z.object({ name: passkeyNameField });

export async function renamePasskey(
  ctx: AuthContext,
  userId: string,
  passkeyId: string,
  input: unknown,
): Promise<Passkey> {
  const { name } = parseInput(renameInput, input);
  const renamed = await ctx.storage.passkeys.rename(userId, passkeyId, name);
  if (!renamed) throw new AuthError("not_found", "No such passkey");
  return toPublicPasskey(renamed);
}

/**
 * Whether the user can still sign in without any passkey: with a password, by magic link when
 * the app has magic links on (the link goes to the account's email, which the user controls), or
 * with an identity linked at a provider the app still offers (one whose provider was removed from
 * `oauth.providers` signs in no one).
 */
async function hasOtherSignInMethod(ctx: AuthContext, userId: string): Promise<boolean> {
  if (ctx.mail.features.magicLink) return true;
  if ((await ctx.storage.passwords.get(userId)) !== null) return true;
  const providers = ctx.config.oauth?.providers ?? [];
  const linked = providers.length > 0 ? await ctx.storage.accounts?.listByUser(userId) : [];
  return (linked ?? []).some((account) => providers.some(({ id }) => id === account.provider));
}

/**
 * Deletes one of the user's passkeys. The last one is kept when it is the user's only way to
 * sign in, atomically, so two concurrent deletes cannot remove the last two together.
 */
export async function deletePasskey(
  ctx: AuthContext,
  userId: string,
  passkeyId: string,
  info: RequestInfo = {},
): Promise<void> {
  const keepLast = !(await hasOtherSignInMethod(ctx, userId));
  const outcome = await ctx.storage.passkeys.delete(userId, passkeyId, { keepLast });
  if (outcome === "not_found") throw new AuthError("not_found", "No such passkey");
  if (outcome === "last") {
    throw new AuthError(
      "forbidden",
      "This passkey is your only way to sign in: add another passkey or a password first",
    );
  }
  await ctx.events.emit("passkey.removed", { userId, ...info }, { passkeyId });
}
