import { type AddressProver, proveAddress } from "../accounts/account-recovery.js";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { isAuthError } from "../errors.js";
import { assertNotDisabled } from "../sessions/account-disabled.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo, User } from "../types.js";
import { invalidToken } from "./one-time-token.js";
import { type SignInResult, withUser } from "./password-accounts.js";

/**
 * Signs in whoever proved they read mail sent to `email` (a magic link or a login code). The
 * proof also verifies the address; a first proof by someone who does not hold the account
 * evicts whoever squatted it (`proveAddress`) before the new session is opened. Without a
 * `userId` the mail went to an address with no account then: it gets one now, unless sign-up
 * is off.
 */
export async function signInRecipient(
  ctx: AuthContext,
  proof: { userId: string | null; email: string; method: "magic_link" | "code" },
  info: RequestInfo = {},
  prover: AddressProver = {},
): Promise<SignInResult> {
  const account = await recipientAccount(ctx, proof, info);
  // Before the proof changes anything (it may verify the address, or evict credentials).
  assertNotDisabled(account);
  const { user } = await proveAddress(ctx, account, prover, info);
  return withUser(user, await signIn(ctx, user.id, proof.method, info));
}

async function recipientAccount(
  ctx: AuthContext,
  proof: { userId: string | null; email: string },
  info: RequestInfo,
): Promise<User> {
  if (proof.userId !== null) {
    const user = await ctx.storage.users.findById(proof.userId);
    // The account moved to another address since: mail to the old one proves nothing now.
    if (!user || user.email !== proof.email) throw invalidToken();
    return user;
  }
  const existing = await ctx.storage.users.findByEmail(proof.email);
  if (existing) return existing;
  if (!ctx.config.magicLink.signUp) throw invalidToken();
  try {
    const created = await ctx.storage.users.create({
      id: randomId(ctx.config.random),
      email: proof.email,
      emailVerified: true,
      name: null,
      createdAt: ctx.now(),
    });
    await ctx.events.emit(
      "user.registered",
      { userId: created.id, ...info },
      {
        method: "magic_link",
        email: created.email,
      },
    );
    return created;
  } catch (error) {
    // Created concurrently (two links, or a registration): the address is proven, use it.
    if (isAuthError(error) && error.code === "email_taken") {
      const raced = await ctx.storage.users.findByEmail(proof.email);
      if (raced) return raced;
    }
    throw error;
  }
}
