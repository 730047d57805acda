/**
 * `portcullis/oauth`: the identity providers for social sign-in, `createAuth({ oauth: {
 * providers: [google({ clientId, clientSecret })] } })`. Each is data and a small function that
 * reads the profile; the flows themselves live in the core and come with `createAuth`.
 */
export { type AppleOptions, apple, appleClientSecret } from "./apple.js";
export { discord } from "./discord.js";
export { type GitHubOptions, github } from "./github.js";
export { type GitLabOptions, gitlab } from "./gitlab.js";
export { google } from "./google.js";
export {
  MICROSOFT_ISSUER_TEMPLATE,
  type MicrosoftOptions,
  microsoft,
  microsoftTenantIssuer,
} from "./microsoft.js";
export { type OAuthClientOptions, type OidcProviderOptions, oidc } from "./oidc.js";
export type {
  OAuth2Server,
  OAuthProfile,
  OAuthProfileSource,
  OAuthProvider,
  OidcServer,
} from "./provider.js";
