import { providerURL, requiredString, withScopes } from "./checks.js";
import { oidcProfile } from "./claims.js";
import type { OAuthClientOptions } from "./oidc.js";
import type { OAuthProvider } from "./provider.js";

export interface GitLabOptions extends OAuthClientOptions {
  /**
   * A self-managed GitLab's URL, e.g. `https://gitlab.example.com`.
   * @default "https://gitlab.com"
   */
  issuer?: string;
}

/**
 * Sign in with GitLab (OpenID Connect). Create an application with the scopes `openid`, `email`
 * and `profile` and the redirect URI `<baseURL><basePath>/oauth/gitlab/callback`. GitLab asserts
 * `email_verified` for a confirmed address.
 */
export function gitlab(options: GitLabOptions): OAuthProvider {
  return {
    id: "gitlab",
    name: "GitLab",
    server: {
      kind: "oidc",
      issuer: providerURL("gitlab", "issuer", options.issuer ?? "https://gitlab.com", false),
    },
    clientId: requiredString("gitlab", "clientId", options.clientId),
    clientSecret: requiredString("gitlab", "clientSecret", options.clientSecret),
    scopes: withScopes(options.scopes, ["openid", "email", "profile"], ["openid"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    profile: oidcProfile,
  };
}
