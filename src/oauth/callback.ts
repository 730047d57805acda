import type { AuthContext } from "../context/context.js";
import { constantTimeEqual } from "../crypto/constant-time.js";
import { AuthError } from "../errors.js";
import { limitPerIP } from "../ops/rate-limit.js";
import type { AuthResult, RequestInfo } from "../types.js";
import { redirectTarget } from "../util/redirect-target.js";
import { invalidState, providerFailure } from "./errors.js";
import { exchangeCode } from "./identity.js";
import {
  type LinkedAccount,
  linkIdentity,
  type OAuthSignIn,
  signInWithIdentity,
} from "./linking.js";
import { findProvider, oauthOptions } from "./providers.js";
import { providerServer } from "./server-metadata.js";
import { consumeAttempt, type PendingSignIn } from "./state.js";

/** What a callback ended in, and the allowlisted page the browser lands on. */
export type OAuthOutcome =
  | ({ kind: "signed_in"; redirectTo: string } & OAuthSignIn)
  | { kind: "linked"; redirectTo: string; account: LinkedAccount };

export interface CallbackInput {
  /** The callback's parameters (`code`, `state`, `iss`, or `error`). */
  params: URLSearchParams;
  /** The attempt the browser's state cookie carries (`openAttempt`), or null. */
  pending: PendingSignIn | null;
  /** Who the request's session is, if any: a link completes only for the user who started it. */
  caller: AuthResult | null;
}

/**
 * Whether a callback answers this attempt: the same provider, the same `state`. One that does
 * not (another browser's callback, another provider's) leaves the attempt as it was, cookie
 * included, for its own callback to complete.
 */
export function isCallbackOf(
  pending: PendingSignIn,
  providerId: string,
  params: URLSearchParams,
): boolean {
  const state = params.get("state");
  return (
    pending.provider === providerId && state !== null && constantTimeEqual(state, pending.state)
  );
}

/**
 * `GET /auth/oauth/:provider/callback`: the provider sends the browser back. In order:
 * - the attempt must be this browser's (its cookie), for this provider, with this `state`;
 * - it is used up, atomically (a replay, or a second tab, finds nothing);
 * - the response must come from the provider's issuer (RFC 9207 `iss`, when sent: mix-up);
 * - the code is exchanged (PKCE, exact redirect URI) and the ID token validated;
 * - the linking rules decide whom it signs in, or the identity is linked to the user who asked.
 * Any failure throws, and no session is opened.
 */
export async function completeSignIn(
  ctx: AuthContext,
  providerId: string,
  input: CallbackInput,
  info: RequestInfo = {},
): Promise<OAuthOutcome> {
  oauthOptions(ctx);
  await limitPerIP(ctx, "oauth-callback", info.ip);
  const provider = findProvider(ctx, providerId);
  const { pending, params } = input;
  // Started for another provider, or by another browser (no cookie, another state): refused
  // before anything is used up, so nobody can burn this browser's attempt from outside.
  if (!pending || !isCallbackOf(pending, provider.id, params)) throw invalidState();
  if (!(await consumeAttempt(ctx, pending))) throw invalidState();
  const redirectTo = redirectTarget(ctx.config, pending.redirectTo);
  if (pending.linkUserId !== null && input.caller?.user.id !== pending.linkUserId) {
    throw new AuthError(
      "unauthenticated",
      `Sign in to the account you are linking ${provider.name} to, then start again`,
    );
  }
  const server = await providerServer(ctx, provider);
  let callback: URLSearchParams;
  try {
    callback = server.lib.validateAuthResponse(server.as, server.client, params, pending.state);
  } catch (error) {
    throw providerFailure(ctx, provider, error, server.lib);
  }
  const identity = await exchangeCode(ctx, server, callback, pending);
  if (pending.linkUserId !== null) {
    const account = await linkIdentity(ctx, pending.linkUserId, provider, identity, info);
    return { kind: "linked", redirectTo, account };
  }
  return {
    kind: "signed_in",
    redirectTo,
    ...(await signInWithIdentity(ctx, provider, identity, info)),
  };
}
