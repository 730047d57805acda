import { requiredString, withScopes } from "./checks.js";
import { oidcProfile } from "./claims.js";
import type { OAuthClientOptions } from "./oidc.js";
import type { OAuthProvider } from "./provider.js";

/**
 * Sign in with Google (OpenID Connect, `https://accounts.google.com`). Register the redirect URI
 * `<baseURL><basePath>/oauth/google/callback` for a "Web application" client in the Google Cloud
 * console. Google asserts `email_verified` for the address it gives.
 */
export function google(options: OAuthClientOptions): OAuthProvider {
  return {
    id: "google",
    name: "Google",
    server: { kind: "oidc", issuer: "https://accounts.google.com" },
    clientId: requiredString("google", "clientId", options.clientId),
    clientSecret: requiredString("google", "clientSecret", options.clientSecret),
    scopes: withScopes(options.scopes, ["openid", "email", "profile"], ["openid"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    profile: oidcProfile,
  };
}
