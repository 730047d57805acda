import { requireRecentSignIn, type StepUpCaller, type StepUpProof } from "../accounts/step-up.js";
import type { AuthContext } from "../context/context.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import { limitPerIP } from "../ops/rate-limit.js";
import type { RequestInfo } from "../types.js";
import { allowedRedirect } from "../util/redirect-target.js";
import { unreachable } from "./errors.js";
import { findProvider, oauthOptions, redirectURI } from "./providers.js";
import { providerServer } from "./server-metadata.js";
import { beginAttempt, STATE_SECONDS } from "./state.js";

/** The longest `redirectTo` kept, in characters. */
const MAX_REDIRECT_LENGTH = 1024;

/** Where to send the browser, and the sealed attempt its cookie must carry back. */
export interface StartedSignIn {
  /** The provider's authorization URL. */
  url: string;
  /** The state cookie's value (see state.ts). */
  cookie: string;
  /** Seconds the cookie (and the attempt) lives. */
  maxAge: number;
}

/**
 * The authorization request (RFC 9700): code flow, PKCE S256, `state`, a `nonce` for OIDC, the
 * exact redirect URI. The app's own `authorizationParams` go in first, so none of these can be
 * replaced by them.
 */
async function authorizationRequest(
  ctx: AuthContext,
  provider: OAuthProvider,
  input: { redirectTo?: string | null; linkUserId: string | null },
): Promise<StartedSignIn> {
  const server = await providerServer(ctx, provider);
  const endpoint = server.as.authorization_endpoint;
  if (!endpoint) throw unreachable(provider, new Error("no authorization_endpoint in metadata"));
  const oidc = provider.server.kind === "oidc";
  // A target off the allowlist is dropped, not refused: the browser lands on baseURL instead.
  // So is a very long one: it rides in the state cookie, which browsers cap at 4 kB.
  const allowed = input.redirectTo ? allowedRedirect(ctx.config, input.redirectTo) : null;
  const redirectTo = allowed !== null && allowed.length <= MAX_REDIRECT_LENGTH ? allowed : null;
  const { pending, sealed } = await beginAttempt(ctx, {
    provider: provider.id,
    oidc,
    redirectTo,
    linkUserId: input.linkUserId,
  });
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(provider.authorizationParams ?? {})) {
    url.searchParams.set(name, value);
  }
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", redirectURI(ctx, provider));
  url.searchParams.set("scope", provider.scopes.join(" "));
  url.searchParams.set("state", pending.state);
  url.searchParams.set(
    "code_challenge",
    await server.lib.calculatePKCECodeChallenge(pending.verifier),
  );
  url.searchParams.set("code_challenge_method", "S256");
  if (pending.nonce !== null) url.searchParams.set("nonce", pending.nonce);
  if (provider.responseMode === "form_post") url.searchParams.set("response_mode", "form_post");
  return { url: url.href, cookie: sealed, maxAge: STATE_SECONDS };
}

/**
 * `GET /auth/oauth/:provider`: starts a sign-in with the provider. `redirectTo` is where the
 * browser lands afterwards, when it is on baseURL's origin or a trusted one.
 */
export async function startSignIn(
  ctx: AuthContext,
  providerId: string,
  input: { redirectTo?: string | null } = {},
  info: RequestInfo = {},
): Promise<StartedSignIn> {
  oauthOptions(ctx);
  await limitPerIP(ctx, "oauth-start", info.ip);
  const provider = findProvider(ctx, providerId);
  return authorizationRequest(ctx, provider, { redirectTo: input.redirectTo, linkUserId: null });
}

/**
 * `POST /auth/oauth/:provider/link`: a signed-in user starts linking an identity at the
 * provider to their account. Step-up first (`requireRecentSignIn`: a session signed in within
 * `session.freshAge`, the current password, or for a user with MFA a TOTP code): an identity
 * linked by a stolen cookie would be a way back in that survives a password reset.
 */
export async function startLink(
  ctx: AuthContext,
  caller: StepUpCaller,
  providerId: string,
  input: StepUpProof & { redirectTo?: string | null },
  info: RequestInfo = {},
): Promise<StartedSignIn> {
  oauthOptions(ctx);
  await limitPerIP(ctx, "oauth-start", info.ip);
  const provider = findProvider(ctx, providerId);
  await requireRecentSignIn(ctx, caller, input, info);
  return authorizationRequest(ctx, provider, {
    redirectTo: input.redirectTo,
    linkUserId: caller.userId,
  });
}
