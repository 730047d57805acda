import * as z from "zod";
import { nameField } from "../accounts/fields.js";
import { requireRecentSignIn, type StepUpCaller, stepUpInput } from "../accounts/step-up.js";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { clearLoginFailures, limitPerIP } from "../ops/rate-limit.js";
import { revokeUserSessions } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { parseInput } from "../validation.js";

/*
 * The account itself: the user's profile and the application's own data about them
 * (`metadata`), and deleting the account.
 */

/** The cap on `metadata`, as UTF-8 bytes of its JSON. */
export const METADATA_MAX_BYTES = 16 * 1024;

/**
 * Whether a `__proto__` key sits anywhere in the value (own keys only, as `JSON.parse` makes
 * them). zod would drop it silently, and a consumer copying the object with `Object.assign`
 * would set a prototype: refused, never stored.
 */
function hasProtoKey(value: unknown, seen = new WeakSet<object>()): boolean {
  if (typeof value !== "object" || value === null || seen.has(value)) return false;
  seen.add(value);
  if (!Array.isArray(value) && Object.hasOwn(value, "__proto__")) return true;
  return Object.values(value).some((inner) => hasProtoKey(inner, seen));
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/**
 * A plain JSON object: string keys, JSON values (no `undefined`, function, Date, NaN...), at most
 * `METADATA_MAX_BYTES` serialized. Not an array, not null, not a class instance.
 */
export const metadataField = z
  .custom<Record<string, unknown>>(() => true)
  .refine((value) => !hasProtoKey(value), "metadata may not have a __proto__ key")
  .pipe(
    z.record(
      z.string(),
      z.json({
        error: "metadata values must be JSON: string, number, boolean, null, array, object",
      }),
      { error: "metadata must be a JSON object" },
    ),
  )
  .refine(
    (value) => utf8Length(JSON.stringify(value)) <= METADATA_MAX_BYTES,
    `metadata must be at most ${METADATA_MAX_BYTES} bytes as JSON`,
  );

/** What server code may change of a user: `name` (null clears it) and `metadata`. */
export const updateUserInput = z.strictObject({
  name: nameField,
  /** Replaces the stored object whole: read it, change it, write it back; `{}` clears it. */
  metadata: metadataField.optional(),
});

/**
 * What the signed-in user may change of their own account over HTTP: their name. Strict, so a
 * `metadata` sent by a browser is refused (`invalid_request`), not silently dropped: metadata is
 * written by server code only.
 */
export const updateOwnAccountInput = z.strictObject({ name: nameField });

async function applyUpdate(
  ctx: AuthContext,
  userId: string,
  patch: { name?: string | null; metadata?: Record<string, unknown> },
): Promise<User> {
  const changes = Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as typeof patch;
  const updated =
    Object.keys(changes).length === 0
      ? await ctx.storage.users.findById(userId)
      : await ctx.storage.users.update(userId, { ...changes, updatedAt: ctx.now() });
  if (!updated) throw new AuthError("not_found", "No such user");
  return updated;
}

/**
 * Server-side: changes a user's `name` and/or `metadata` (replaced whole) and returns the user.
 * Nothing given, nothing written. Throws `invalid_request` for input that fails the schema
 * (metadata not a plain JSON object, or over 16 KB), `not_found` for an unknown user.
 * Concurrent updates of `metadata` do not merge: the last write wins.
 */
export async function updateUser(ctx: AuthContext, userId: string, input: unknown): Promise<User> {
  const { name, metadata } = parseInput(updateUserInput, input);
  return applyUpdate(ctx, userId, { name, metadata });
}

/** `PATCH /auth/account`: the signed-in user changes their own name; never the metadata. */
export async function updateOwnAccount(
  ctx: AuthContext,
  userId: string,
  input: unknown,
): Promise<User> {
  const { name } = parseInput(updateOwnAccountInput, input);
  return applyUpdate(ctx, userId, { name });
}

/**
 * Server-side: deletes the user and everything that belongs to it. No step-up: server code is
 * trusted, and it is the caller's job to have checked who asked (an admin screen, a job, the
 * user's own request through `DELETE /auth/account`, which does check).
 *
 * The sessions end first, through `revokeUserSessions`: their refresh-token families are
 * deleted and the sessions are listed as revoked, so the user's access JWTs fail at once, even
 * at services that verify them without the session store, and even where sessions live in
 * another store than users (Redis) that no cascade reaches. Then the pending mailed tokens
 * (likewise possibly elsewhere), the passkeys, the password and the second factor (by their
 * own ports, so a storage composed of several adapters loses them too), then the user, whose
 * store cascades to whatever else it keeps (refresh families whose session was already gone).
 * Sessions are swept once more after: one opened by a sign-in racing the deletion, in a store
 * no cascade reaches, dies too. The address's failed-sign-in count is forgotten: an account
 * registered with it later starts clean. Emits `session.revoked` (reason `account_deleted`) and
 * `user.deleted` (with `by` when the caller says who asked). The audit log keeps the account's
 * records (see `AuditStore`). Throws `not_found` for an unknown user.
 */
export async function deleteAccount(
  ctx: AuthContext,
  userId: string,
  info: RequestInfo = {},
  by?: "user" | "admin",
): Promise<void> {
  const user = await ctx.storage.users.findById(userId);
  if (!user) throw new AuthError("not_found", "No such user");
  await revokeUserSessions(ctx, user.id, undefined, "account_deleted");
  await ctx.storage.verifications.deleteByUser(user.id);
  await ctx.storage.passkeys.deleteByUser(user.id);
  await ctx.storage.passwords.delete(user.id);
  await ctx.storage.mfa.delete(user.id);
  // Linked OAuth identities: SQL and memory cascade them, a storage of other parts may not.
  await ctx.storage.accounts?.deleteByUser(user.id);
  await ctx.storage.users.delete(user.id);
  await revokeUserSessions(ctx, user.id, undefined, "account_deleted");
  await clearLoginFailures(ctx, user.email);
  await ctx.events.emit("user.deleted", { userId: user.id, ...info }, by ? { by } : {});
}

/**
 * `DELETE /auth/account`: the signed-in user deletes their own account. Step-up: their session
 * signed in within `session.freshAge`, or `currentPassword` is in the request (a wrong one counts
 * toward the account's lockout); otherwise `reauthentication_required`. Limited per IP.
 */
export async function deleteOwnAccount(
  ctx: AuthContext,
  caller: StepUpCaller,
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  const proof = parseInput(stepUpInput, input);
  await limitPerIP(ctx, "account-delete", info.ip);
  await requireRecentSignIn(ctx, caller, proof, info);
  await deleteAccount(ctx, caller.userId, info, "user");
}
