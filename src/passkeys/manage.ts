import * as z from "zod";
import { removeUnlessLastWayIn } from "../accounts/sign-in-methods.js";
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
 * Deletes one of the user's passkeys. The last one is kept when it is the user's only way to
 * sign in (`removeUnlessLastWayIn`), so neither two concurrent deletes nor a delete racing an
 * unlink can leave the account without a way in.
 */
export async function deletePasskey(
  ctx: AuthContext,
  userId: string,
  passkeyId: string,
  info: RequestInfo = {},
): Promise<void> {
  const { passkeys } = ctx.storage;
  const passkey = await passkeys.findById(passkeyId);
  if (!passkey || passkey.userId !== userId) throw new AuthError("not_found", "No such passkey");
  const outcome = await removeUnlessLastWayIn(ctx, userId, passkey, {
    kind: "passkeys",
    remove: ({ keepLast }) => passkeys.delete(userId, passkeyId, { keepLast }),
    restore: (row) => passkeys.create(row),
  });
  if (outcome === "not_found") throw new AuthError("not_found", "No such passkey");
  if (outcome === "last") {
    throw new AuthError(
      "forbidden",
      "This passkey is your only way to sign in: add another passkey or a password first",
    );
  }
  await ctx.events.emit("passkey.removed", { userId, ...info }, { passkeyId });
}
