/*
 * What an identity provider is to the library: data (where its server is, which client the app
 * registered there, what to ask for) and one small function that reads the person's identity
 * from what the provider answered. The flows that use it (src/oauth/) never appear here, so an
 * app's bundle gets them only through `createAuth({ oauth })`, not by importing a preset.
 */

/** The person the provider signed in, as the library needs them. */
export interface OAuthProfile {
  /**
   * The provider's stable, unique id for the person (OIDC `sub`, GitHub's numeric user id...):
   * what an identity is linked by. Never an email address, which can change hands.
   */
  subject: string;
  /** The address the provider gives for the person, or null when it gives none. */
  email: string | null;
  /**
   * True only when the provider asserts that it verified the person controls `email`. The
   * linking rules trust an email match only then (and only with a verified local account).
   */
  emailVerified: boolean;
  /** A display name, when the provider gives one. */
  name: string | null;
}

/** What `OAuthProvider.profile` reads the identity from, once the code has been exchanged. */
export interface OAuthProfileSource {
  /**
   * The ID token's claims, validated by the library (signature against the provider's keys,
   * `iss`, `aud`, `exp`, `nonce`): null for a plain OAuth 2.0 provider.
   */
  idToken: Readonly<Record<string, unknown>> | null;
  /** The access token the provider issued, to call its API with. */
  accessToken: string;
  /**
   * The claims of the OIDC userinfo endpoint, fetched on first call; its `sub` is checked to be
   * the ID token's. `{}` when the provider has no userinfo endpoint (no plain OAuth 2.0 one has).
   */
  userinfo(): Promise<Readonly<Record<string, unknown>>>;
  /**
   * `fetch` with the library's timeout. Use it for the provider's API (GitHub's `/user`):
   * failures to reach the provider are then answered `unavailable`, not `internal`.
   */
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

/** An OpenID Connect provider: its metadata comes from discovery, its identity from the ID token. */
export interface OidcServer {
  kind: "oidc";
  /**
   * The issuer identifier; the metadata is read from
   * `<issuer>/.well-known/openid-configuration`. https (see `allowInsecureIssuerForDevelopment`).
   */
  issuer: string;
  /**
   * The `issuer` the discovery document names, when it is not `issuer` itself. Microsoft's
   * multi-tenant endpoints (`/common/v2.0`) name a template,
   * `https://login.microsoftonline.com/{tenantid}/v2.0`. Default: `issuer`.
   */
  discoveryIssuer?: string;
  /**
   * The `iss` an ID token must carry, given its claims, or null to refuse the token; for
   * multi-tenant providers whose tokens name the user's tenant (Microsoft: the `tid` claim
   * substituted into the template). The claims are the token's own, and the token is refused
   * unless its signature verifies and its `iss` equals the answer. Default: the discovered
   * issuer.
   */
  idTokenIssuer?(claims: Readonly<Record<string, unknown>>): string | null;
}

/** A plain OAuth 2.0 provider (GitHub, Discord): endpoints given, identity from its API. */
export interface OAuth2Server {
  kind: "oauth2";
  /**
   * A URL naming the authorization server. Should it send an `iss` response parameter
   * (RFC 9207), it must be this one.
   */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/**
 * An identity provider for `createAuth({ oauth: { providers } })`. Made by the factories of
 * `portcullis/oauth` (`google(...)`, `oidc(...)`...); adding one of your own is a small object
 * of this shape. Its URLs must be https unless `allowInsecureIssuerForDevelopment` is set.
 */
export interface OAuthProvider {
  /**
   * Names the provider in the routes (`/auth/oauth/<id>`, the callback
   * `/auth/oauth/<id>/callback`) and in linked identities: lower-case letters, digits and `-`.
   * Changing it orphans the identities linked under the old id.
   */
  id: string;
  /** What users are shown, e.g. "Google". */
  name: string;
  server: OidcServer | OAuth2Server;
  /** The client id the provider gave the app. */
  clientId: string;
  /**
   * The client secret, or a function that makes one for each token request (Apple's is a
   * short-lived JWT the app signs).
   */
  clientSecret: string | (() => string | Promise<string>);
  /**
   * How the secret reaches the token endpoint.
   * @default "client_secret_basic"
   */
  clientAuthentication?: "client_secret_basic" | "client_secret_post";
  /** The scopes asked for; OIDC providers need `openid`. */
  scopes: readonly string[];
  /**
   * How the provider returns to the callback: `"query"` (a GET) or `"form_post"` (a POST, which
   * Apple requires once scopes are asked for).
   * @default "query"
   */
  responseMode?: "query" | "form_post";
  /**
   * Extra parameters of the authorization request (e.g. `{ prompt: "select_account" }`). They
   * cannot replace the ones the security of the flow rests on (state, nonce, PKCE,
   * redirect_uri, client_id, response_type, scope, response_mode).
   */
  authorizationParams?: Readonly<Record<string, string>>;
  /**
   * Lets the provider's URLs be plain http, for a local test identity provider only. Refused
   * when `NODE_ENV=production`: over http anyone on the path can read and change the answers.
   * @default false
   */
  allowInsecureIssuerForDevelopment?: boolean;
  /** Reads the person's identity from the provider's answer. */
  profile(source: OAuthProfileSource): Promise<OAuthProfile>;
}
