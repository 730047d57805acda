import { decodeJwt } from "jose";
import type * as oauth from "oauth4webapi";
import { emailField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { AuthError, isAuthError } from "../errors.js";
import type { OAuthProfile } from "../oauth-providers/provider.js";
import { providerFailure, unreachable } from "./errors.js";
import { redirectURI } from "./providers.js";
import { clientAuthentication, type ProviderServer } from "./server-metadata.js";
import type { PendingSignIn } from "./state.js";

/*
 * The back channel of the callback: the authorization code exchanged for tokens (with the PKCE
 * verifier and the exact redirect URI), the ID token validated, the person read from it.
 */

/** What the provider told us about the person, and the tokens it issued. */
export interface ProviderIdentity {
  profile: OAuthProfile;
  tokens: oauth.TokenEndpointResponse;
}

/**
 * The `iss` the ID token must carry. For a multi-tenant provider the expected issuer depends on
 * the tenant the token names, read from the token before it is verified; that is sound because
 * the token is then verified against exactly that issuer, and its signature covers the tenant.
 */
async function idTokenServer(
  server: ProviderServer,
  response: Response,
): Promise<oauth.AuthorizationServer> {
  const { provider, as, lib } = server;
  if (provider.server.kind !== "oidc" || !provider.server.idTokenIssuer) return as;
  let claims: Record<string, unknown>;
  try {
    const body = (await response.clone().json()) as { id_token?: unknown };
    claims = typeof body.id_token === "string" ? decodeJwt(body.id_token) : {};
  } catch {
    claims = {};
  }
  const issuer = provider.server.idTokenIssuer(claims);
  if (issuer === null) {
    throw new lib.OperationProcessingError("the ID token names no issuer the provider allows");
  }
  return { ...as, issuer };
}

/**
 * A profile the linking rules can trust the shape of: a subject, and an email that is a valid
 * address (lower-cased, as accounts store it) or none at all. A malformed email is dropped,
 * never half-used; an email the provider did not verify stays unverified.
 */
function checkedProfile(server: ProviderServer, profile: OAuthProfile): OAuthProfile {
  const { provider, lib } = server;
  const { subject } = profile;
  if (typeof subject !== "string" || subject === "" || subject.length > 255) {
    throw new lib.OperationProcessingError(`${provider.id} gave no usable subject`);
  }
  const email = emailField.safeParse(profile.email);
  const name = typeof profile.name === "string" ? profile.name.trim().slice(0, 200) : "";
  return {
    subject,
    email: email.success ? email.data : null,
    emailVerified: email.success && profile.emailVerified === true,
    name: name === "" ? null : name,
  };
}

/** `fetch` for the provider's API: the library's timeout, failures to connect as `unavailable`. */
function providerFetch(server: ProviderServer) {
  return async (url: string, init: RequestInit = {}) => {
    try {
      return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw unreachable(server.provider, error);
    }
  };
}

/**
 * Exchanges the code of a validated callback for the person's identity. OIDC: the ID token is
 * required and checked for `iss`, `aud`, `exp`, `iat`, `nonce` (oauth4webapi) and its signature
 * against the provider's published keys, even though it came straight from the token endpoint:
 * an http development issuer has no TLS to vouch for it, and a signature costs little.
 */
export async function exchangeCode(
  ctx: AuthContext,
  server: ProviderServer,
  callback: URLSearchParams,
  pending: PendingSignIn,
): Promise<ProviderIdentity> {
  const { provider, as, client, http, lib } = server;
  const oidc = provider.server.kind === "oidc";
  let tokens: oauth.TokenEndpointResponse;
  let idToken: Record<string, unknown> | null = null;
  try {
    const response = await lib.authorizationCodeGrantRequest(
      as,
      client,
      await clientAuthentication(lib, provider),
      callback,
      redirectURI(ctx, provider),
      pending.verifier,
      http,
    );
    if (oidc) {
      const expected = await idTokenServer(server, response);
      tokens = await lib.processAuthorizationCodeResponse(expected, client, response, {
        expectedNonce: pending.nonce ?? lib.expectNoNonce,
        requireIdToken: true,
      });
      await lib.validateApplicationLevelSignature(expected, response, http);
      idToken = { ...lib.getValidatedIdTokenClaims(tokens) };
    } else {
      tokens = await lib.processAuthorizationCodeResponse(as, client, response);
    }
  } catch (error) {
    throw providerFailure(ctx, provider, error, lib);
  }
  const subject = typeof idToken?.sub === "string" ? idToken.sub : null;
  let userinfo: Promise<Readonly<Record<string, unknown>>> | undefined;
  const source = {
    idToken,
    accessToken: tokens.access_token,
    userinfo: () => {
      userinfo ??= fetchUserinfo(server, tokens.access_token, subject);
      return userinfo;
    },
    fetch: providerFetch(server),
  };
  try {
    return { profile: checkedProfile(server, await provider.profile(source)), tokens };
  } catch (error) {
    if (isAuthError(error)) throw error;
    ctx.config.logger.warn(
      { provider: provider.id, reason: error instanceof Error ? error.message : String(error) },
      `could not read the profile from ${provider.id}`,
    );
    throw new AuthError(
      "invalid_credentials",
      `Could not read your profile from ${provider.name}: start again`,
    );
  }
}

/** The userinfo claims, their `sub` checked to be the ID token's; `{}` without an endpoint. */
async function fetchUserinfo(
  server: ProviderServer,
  accessToken: string,
  subject: string | null,
): Promise<Readonly<Record<string, unknown>>> {
  const { provider, as, client, http, lib } = server;
  if (!as.userinfo_endpoint || subject === null) return {};
  try {
    const response = await lib.userInfoRequest(as, client, accessToken, http);
    return await lib.processUserInfoResponse(as, client, subject, response);
  } catch (error) {
    if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
      throw unreachable(provider, error);
    }
    throw error;
  }
}
