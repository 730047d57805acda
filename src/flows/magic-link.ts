import * as z from "zod";
import type { AddressProver } from "../accounts/account-recovery.js";
import { emailField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { limitPerAccount, limitPerIP } from "../ops/rate-limit.js";
import { isDisabled } from "../sessions/account-disabled.js";
import type { RequestInfo } from "../types.js";
import { allowedRedirect, redirectTarget } from "../util/redirect-target.js";
import { parseInput } from "../validation.js";
import {
  countLoginCodeGuess,
  isNewestLoginCode,
  LOGIN_CODE_PURPOSE,
  loginCodeId,
  newLoginCode,
} from "./login-code.js";
import {
  authURL,
  balanceMissingAccount,
  consumeToken,
  invalidToken,
  issueToken,
  requireFeature,
  tokenData,
} from "./one-time-token.js";
import type { SignInResult } from "./password-accounts.js";
import { signInRecipient } from "./sign-in-recipient.js";

export const MAGIC_LINK_PURPOSE = "magic-link";

export const magicLinkInput = z.object({
  email: emailField,
  /** Where the link lands after sign-in; checked against baseURL and trustedOrigins. */
  redirectTo: z.string().max(2048).optional(),
  /** "code" mails a 6-digit code instead, for clients that cannot open a link. */
  type: z.enum(["link", "code"]).default("link"),
});

export const loginCodeInput = z.object({
  email: emailField,
  code: z
    .string({ error: "code is required" })
    .trim()
    .regex(/^\d{6}$/, "code must be 6 digits"),
});

/**
 * A magic-link sign-in (or its pending step, for an account with MFA) and where it lands:
 * `redirectTo`, the allowlisted page to send the browser to.
 */
export type MagicSignIn = SignInResult & { redirectTo: string };

/**
 * Mails a sign-in link (or code) to the address. Answers the same whether or not an account
 * exists; with sign-up on, the account is created when the link is used, so nothing is created
 * for an address whose owner never clicks.
 */
export async function requestMagicLink(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<void> {
  requireFeature(ctx.mail.features.magicLink);
  const { email, redirectTo, type } = parseInput(magicLinkInput, input);
  await limitPerIP(ctx, "magic-link", info.ip);
  await limitPerAccount(ctx, "magic-link", email);
  const user = await ctx.storage.users.findByEmail(email);
  // A disabled account gets no mail either, answered like an address without an account.
  if (user ? isDisabled(user) : !ctx.config.magicLink.signUp) {
    await balanceMissingAccount(
      ctx,
      MAGIC_LINK_PURPOSE,
      type === "code" ? "login-code" : "magic-link",
      email,
    );
    return;
  }
  const userId = user?.id ?? null;
  const target = redirectTo ? allowedRedirect(ctx.config, redirectTo) : null;
  const { ttl, codeTtl } = ctx.config.magicLink;
  if (type === "code") {
    const { code, stamp } = await newLoginCode(ctx, email);
    const now = ctx.now();
    await ctx.storage.verifications.create({
      id: loginCodeId(ctx, email, code),
      purpose: LOGIN_CODE_PURPOSE,
      userId,
      identifier: email,
      data: JSON.stringify({ stamp }),
      createdAt: now,
      expiresAt: new Date(now.getTime() + codeTtl * 1000),
    });
    await ctx.mail.send("login-code", email, { code, expiresInMinutes: Math.ceil(codeTtl / 60) });
    return;
  }
  const token = await issueToken(ctx, {
    purpose: MAGIC_LINK_PURPOSE,
    userId,
    identifier: email,
    data: target ? { redirectTo: target } : undefined,
    ttlSeconds: ttl,
  });
  await ctx.mail.send("magic-link", email, {
    url: authURL(ctx, "/magic-link/verify", { token }),
    expiresInMinutes: Math.ceil(ttl / 60),
  });
}

/**
 * Uses a magic link: single-use, so of concurrent uses exactly one signs in. The landing page is
 * `redirectTo` from the query when allowed, else the one given at request time, else baseURL.
 */
export async function verifyMagicLink(
  ctx: AuthContext,
  input: { token: unknown; redirectTo?: string | null },
  info: RequestInfo = {},
  prover: AddressProver = {},
): Promise<MagicSignIn> {
  requireFeature(ctx.mail.features.magicLink);
  const record = await consumeToken(ctx, input.token, MAGIC_LINK_PURPOSE);
  const signedIn = await signInRecipient(
    ctx,
    { userId: record.userId, email: record.identifier, method: "magic_link" },
    info,
    prover,
  );
  const requested = input.redirectTo ? allowedRedirect(ctx.config, input.redirectTo) : null;
  const stored = tokenData(record).redirectTo;
  return {
    ...signedIn,
    redirectTo: requested ?? redirectTarget(ctx.config, typeof stored === "string" ? stored : null),
  };
}

/** Signs in with the 6-digit code mailed to the address. */
export async function verifyLoginCode(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
  prover: AddressProver = {},
): Promise<SignInResult> {
  requireFeature(ctx.mail.features.magicLink);
  const { email, code } = parseInput(loginCodeInput, input);
  await limitPerIP(ctx, "login-code", info.ip);
  await countLoginCodeGuess(ctx, email);
  const record = await ctx.storage.verifications.consume(
    loginCodeId(ctx, email, code),
    LOGIN_CODE_PURPOSE,
    ctx.now(),
  );
  if (!record || !(await isNewestLoginCode(ctx, email, tokenData(record).stamp))) {
    throw invalidToken();
  }
  return signInRecipient(
    ctx,
    { userId: record.userId, email: record.identifier, method: "code" },
    info,
    prover,
  );
}
