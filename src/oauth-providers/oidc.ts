import { providerURL, requiredString, withScopes } from "./checks.js";
import { oidcProfile } from "./claims.js";
import type { OAuthProvider } from "./provider.js";

/** What every preset takes: the client the provider registered for the app. */
export interface OAuthClientOptions {
  /** The client id the provider gave the app. */
  clientId: string;
  /** The client secret the provider gave the app. */
  clientSecret: string;
  /** The scopes to ask for instead of the preset's. */
  scopes?: string[];
  /** Extra parameters of the authorization request, e.g. `{ prompt: "select_account" }`. */
  authorizationParams?: Record<string, string>;
}

export interface OidcProviderOptions extends OAuthClientOptions {
  /** Names the provider in the routes: lower-case letters, digits and `-`, e.g. `"okta"`. */
  id: string;
  /**
   * What users are shown.
   * @default the id
   */
  name?: string;
  /** The issuer identifier, e.g. `https://example.okta.com`; metadata comes from discovery. */
  issuer: string;
  /**
   * How the secret reaches the token endpoint.
   * @default "client_secret_basic"
   */
  clientAuthentication?: "client_secret_basic" | "client_secret_post";
  /**
   * Lets `issuer` be plain http, for a local test identity provider only; refused in production.
   * @default false
   */
  allowInsecureIssuerForDevelopment?: boolean;
}

/**
 * Any OpenID Connect provider, by discovery (`<issuer>/.well-known/openid-configuration`): the
 * identity comes from the validated ID token (and userinfo when the token has no email).
 * `openid` is always asked for; the default scopes are `openid email profile`.
 *
 * ```ts
 * oidc({ id: "okta", name: "Okta", issuer: "https://example.okta.com", clientId, clientSecret })
 * ```
 */
export function oidc(options: OidcProviderOptions): OAuthProvider {
  const insecure = options.allowInsecureIssuerForDevelopment === true;
  const id = requiredString("oidc", "id", options.id, 'e.g. "okta"');
  return {
    id,
    name: options.name ?? id,
    server: { kind: "oidc", issuer: providerURL("oidc", "issuer", options.issuer, insecure) },
    clientId: requiredString("oidc", "clientId", options.clientId),
    clientSecret: requiredString("oidc", "clientSecret", options.clientSecret),
    ...(options.clientAuthentication ? { clientAuthentication: options.clientAuthentication } : {}),
    scopes: withScopes(options.scopes, ["openid", "email", "profile"], ["openid"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    ...(insecure ? { allowInsecureIssuerForDevelopment: true } : {}),
    profile: oidcProfile,
  };
}
