import * as z from "zod";
import { voidPendingTokens } from "../accounts/account-recovery.js";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { isDisabled } from "../sessions/account-disabled.js";
import { listSessions, revokeUserSessions } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";
import { deleteAccount } from "./account.js";

/*
 * What an operator does to one account (`auth.api.admin`, DESIGN §6): look at it, disable and
 * enable it, end its sessions, delete it. Server code, trusted to have checked who asked (the
 * HTTP routes check the `admin` option). Each emits its event with the request's address when
 * it came over HTTP, and `by: "admin"`; events name the account acted on, not the administrator.
 */

const userIdInput = z
  .string({ error: "the user id must be a string" })
  .min(1, "the user id must not be empty")
  .max(255, "the user id must be at most 255 characters");

const noSuchUser = () => new AuthError("not_found", "No such user");

async function findUser(ctx: AuthContext, userId: unknown): Promise<User> {
  const user = await ctx.storage.users.findById(parseInput(userIdInput, userId));
  if (!user) throw noSuchUser();
  return user;
}

/** An account as an administrator sees it: the user and what it holds, never a secret. */
export interface AdminUserDetails {
  /** `user.disabledAt` says whether (and since when) it is disabled. */
  user: User;
  /** Live sessions, as the user's own session list counts them. */
  sessions: number;
  passkeys: number;
  /** Whether a password is set (an account may have only passkeys, or only mail links). */
  hasPassword: boolean;
  /** Whether two-factor sign-in is on (`admin.resetMfa` turns it off). */
  mfaEnabled: boolean;
  /** The newest `user.signed_in` the audit log keeps; null when it keeps none (retention). */
  lastSignInAt: Date | null;
}

/** One account and the facts an administrator asks first; `not_found` for an unknown id. */
export async function getUser(ctx: AuthContext, userId: unknown): Promise<AdminUserDetails> {
  const user = await findUser(ctx, userId);
  const [sessions, passkeys, password, mfa, signIns] = await Promise.all([
    listSessions(ctx, user.id),
    ctx.storage.passkeys.listByUser(user.id),
    ctx.storage.passwords.get(user.id),
    ctx.storage.mfa.get(user.id),
    // Newest first, one record: an indexed read (user, type, time) in the SQL stores.
    ctx.storage.audit.query({ userId: user.id, type: "user.signed_in", limit: 1 }),
  ]);
  return {
    user,
    sessions: sessions.length,
    passkeys: passkeys.length,
    hasPassword: password !== null,
    mfaEnabled: mfa?.enabledAt != null,
    lastSignInAt: signIns.records[0]?.at ?? null,
  };
}

/**
 * Disables the account (ASVS 7.4.2): from now on it signs in by no method, and every credential
 * it holds dies at once: the mark is stored first (so a sign-in racing this is refused, see
 * `signIn`), then every session ends, which deletes its refresh-token families and lists the
 * sessions as revoked for access JWTs, then every mailed link and code is voided. Disabling a
 * disabled account ends whatever may have been left (a retry after a failure midway) without a
 * second event. Emits `session.revoked` (when there were sessions) and `user.disabled`.
 */
export async function disableUser(
  ctx: AuthContext,
  userId: unknown,
  info: RequestInfo = {},
): Promise<User> {
  const user = await findUser(ctx, userId);
  const already = isDisabled(user);
  let disabled = user;
  if (!already) {
    const now = ctx.now();
    const updated = await ctx.storage.users.update(user.id, { disabledAt: now, updatedAt: now });
    if (!updated) throw noSuchUser();
    // A users store of your own that drops the field would leave the account able to sign in.
    if (!isDisabled(updated)) {
      throw new Error(
        "disableUser: the users store did not keep disabledAt (update the adapter, or run the migrations)",
      );
    }
    disabled = updated;
  }
  await revokeUserSessions(ctx, user.id);
  await voidPendingTokens(ctx, user.id);
  if (!already)
    await ctx.events.emit("user.disabled", { userId: user.id, ...info }, { by: "admin" });
  return disabled;
}

/**
 * Lets a disabled account sign in again. What was revoked stays revoked: the user signs in
 * afresh. Enabling an enabled account changes nothing and emits nothing. Emits `user.enabled`.
 */
export async function enableUser(
  ctx: AuthContext,
  userId: unknown,
  info: RequestInfo = {},
): Promise<User> {
  const user = await findUser(ctx, userId);
  if (!isDisabled(user)) return user;
  const now = ctx.now();
  const enabled = await ctx.storage.users.update(user.id, { disabledAt: null, updatedAt: now });
  if (!enabled) throw noSuchUser();
  await ctx.events.emit("user.enabled", { userId: user.id, ...info }, { by: "admin" });
  return enabled;
}

/**
 * Ends every session of the account (and with them its refresh tokens and, through the
 * revocation list, its access JWTs); returns the ids ended. Emits `session.revoked` when there
 * were any. Unlike `auth.api.revokeUserSessions`, an unknown user is `not_found`.
 */
export async function revokeAllUserSessions(ctx: AuthContext, userId: unknown): Promise<string[]> {
  const user = await findUser(ctx, userId);
  return revokeUserSessions(ctx, user.id);
}

/**
 * Deletes the account and everything that belongs to it in every store (see `deleteAccount`);
 * its audit records stay. Emits `session.revoked` and `user.deleted`.
 */
export async function deleteUser(
  ctx: AuthContext,
  userId: unknown,
  info: RequestInfo = {},
): Promise<void> {
  await deleteAccount(ctx, parseInput(userIdInput, userId), info, "admin");
}
