import type { ResolvedConfig } from "../config/config.js";

/** The `grant_type`s of `POST /auth/token`: the route accepts these and discovery lists them. */
export const GRANT_TYPES = ["password", "refresh_token", "mfa_otp"] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** RFC 8414 authorization server metadata, as far as Portcullis is an authorization server. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  revocation_endpoint: string;
  grant_types_supported: readonly GrantType[];
  response_types_supported: readonly string[];
  token_endpoint_auth_methods_supported: readonly string[];
  revocation_endpoint_auth_methods_supported: readonly string[];
}

/**
 * The metadata document (RFC 8414 §2) that lets a client or a resource server configured with
 * nothing but the issuer find the token endpoint and the keys. `issuer` is exactly the `iss` of
 * access tokens (baseURL), as RFC 8414 §3.3 and RFC 9068 §4 require.
 *
 * What is left out is left out on purpose: there is no authorization endpoint (no grant here uses
 * one), so `response_types_supported` (required) is empty and there are no PKCE or scope members;
 * clients are not registered and authenticate with nothing (`none`), so there are no signing
 * algorithms for client authentication. Portcullis is not an OpenID Provider (no ID tokens, no
 * userinfo): the same document is served at `openid-configuration` for the verifiers that look
 * only there for `jwks_uri`, without OpenID members it could not honour.
 */
export function authorizationServerMetadata(config: ResolvedConfig): AuthorizationServerMetadata {
  const endpoint = (path: string) => new URL(`${config.basePath}${path}`, config.origin).href;
  return {
    issuer: config.baseURL,
    token_endpoint: endpoint("/token"),
    jwks_uri: endpoint("/jwks"),
    revocation_endpoint: endpoint("/token/revoke"),
    grant_types_supported: GRANT_TYPES,
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
  };
}

/**
 * Where RFC 8414 §3.1 and OpenID Connect Discovery §4 put the documents for this issuer, as
 * paths at the site root: the RFC 8414 suffix goes between the host and the issuer's path
 * (`/.well-known/oauth-authorization-server/tenant` for `https://host/tenant`), the OpenID one
 * after the issuer (`/tenant/.well-known/openid-configuration`).
 */
export function wellKnownPaths(config: ResolvedConfig): {
  oauthAuthorizationServer: string;
  openidConfiguration: string;
} {
  // A terminating "/" of the issuer's path is dropped first (RFC 8414 §3.1).
  const issuerPath = new URL(config.baseURL).pathname.replace(/\/$/, "");
  return {
    oauthAuthorizationServer: `/.well-known/oauth-authorization-server${issuerPath}`,
    openidConfiguration: `${issuerPath}/.well-known/openid-configuration`,
  };
}
