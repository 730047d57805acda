import type { AuthContext } from "../context/context.js";
import type { SessionEndReason } from "../events/events.js";
import { revokeUserSessions } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";

/*
 * The account-lifecycle rules that take an account back from whoever should not hold it. Every
 * flow that recovers an account or proves its address goes through here, so no flow can forget
 * one of the things an intruder may have left behind.
 */

/**
 * Voids every single-use token the account has outstanding: email changes, verification and
 * reset links, magic links and codes, passkey challenges. Whoever holds one may be the intruder
 * the recovery is about (a hijacker's pending email change must not survive a password reset).
 * Email-change cancel links are not voided: they belong to the old address, not the account
 * (stored without a user id), so an intruder cannot void the owner's way back by recovering.
 */
export async function voidPendingTokens(ctx: AuthContext, userId: string): Promise<void> {
  await ctx.storage.verifications.deleteByUser(userId);
}

/**
 * What a recovery (password reset or change) does besides setting the password: ends every
 * session but `keepSessionId` (and with them every refresh token) and voids every pending token.
 */
export async function secureAccount(
  ctx: AuthContext,
  userId: string,
  reason: SessionEndReason,
  keepSessionId?: string,
): Promise<string[]> {
  const revoked = await revokeUserSessions(ctx, userId, keepSessionId, reason);
  await voidPendingTokens(ctx, userId);
  return revoked;
}

/**
 * Who presented a proof of the address (a link or code mailed to it), as far as the request
 * tells: the session it carried, or the registration binding of the browser that signed up.
 */
export interface AddressProver {
  /** The live session the request carried, if any (of any user: only this user's counts). */
  session?: { userId: string } | null;
  /** True when the request carried the binding of the browser that registered the account. */
  registrant?: boolean;
}

/** Whether the prover already holds the account: a session of it, or the registering browser. */
function holdsAccount(user: User, prover: AddressProver): boolean {
  return prover.registrant === true || prover.session?.userId === user.id;
}

/**
 * Records a proof that the caller reads the account's mail. The first proof of an unverified
 * address, when it does not come from someone who already holds the account, evicts whoever
 * squatted the address before its owner proved it (pre-registration takeover): the password,
 * passkeys, second factor, linked OAuth identities, sessions, refresh tokens and pending tokens
 * that existed before the proof are removed, so only the prover is left. Returns the verified
 * user and whether anything was evicted.
 */
export async function proveAddress(
  ctx: AuthContext,
  user: User,
  prover: AddressProver,
  info: RequestInfo = {},
): Promise<{ user: User; evicted: boolean }> {
  if (user.emailVerified) return { user, evicted: false };
  const evict = !holdsAccount(user, prover);
  if (evict) {
    // Sessions first: a squatter's session could otherwise add a passkey while we clean up.
    await revokeUserSessions(ctx, user.id, undefined, "address_proven");
    await ctx.storage.passkeys.deleteByUser(user.id);
    await ctx.storage.passwords.delete(user.id);
    // And the identities a squatter linked (their own Google account, say): a way back in.
    await ctx.storage.accounts?.deleteByUser(user.id);
    // A squatter's second factor too: left behind, it would lock the owner out of their account.
    if (await ctx.storage.mfa.delete(user.id)) {
      await ctx.events.emit("mfa.disabled", { userId: user.id, ...info }, { by: "address_proven" });
    }
    await voidPendingTokens(ctx, user.id);
  }
  const verified = await ctx.storage.users.update(user.id, {
    emailVerified: true,
    updatedAt: ctx.now(),
  });
  await ctx.events.emit(
    "email.verified",
    { userId: user.id, ...info },
    {
      email: user.email,
      evictedCredentials: evict,
    },
  );
  return { user: verified ?? { ...user, emailVerified: true }, evicted: evict };
}
