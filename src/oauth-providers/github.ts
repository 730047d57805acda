import { providerURL, requiredString, withScopes } from "./checks.js";
import type { OAuthClientOptions } from "./oidc.js";
import type { OAuthProfile, OAuthProfileSource, OAuthProvider } from "./provider.js";

export interface GitHubOptions extends OAuthClientOptions {
  /**
   * GitHub Enterprise Server's URL, e.g. `https://github.example.com`.
   * @default "https://github.com"
   */
  serverURL?: string;
  /**
   * Its REST API, e.g. `https://github.example.com/api/v3`.
   * @default "https://api.github.com" (with `serverURL`: `<serverURL>/api/v3`)
   */
  apiURL?: string;
  /**
   * Lets the URLs be plain http, for a local stand-in of GitHub only; refused in production.
   * @default false
   */
  allowInsecureIssuerForDevelopment?: boolean;
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * The person behind a GitHub access token: `GET /user` (the numeric id is the subject; logins
 * can be renamed and reused) and `GET /user/emails`, whose primary address is the email, verified
 * only when GitHub says so. Without the `user:email` scope there is no email.
 */
async function githubProfile(apiURL: string, source: OAuthProfileSource): Promise<OAuthProfile> {
  const headers = {
    Authorization: `Bearer ${source.accessToken}`,
    Accept: "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    // GitHub refuses API requests without one.
    "User-Agent": "portcullis",
  };
  const userResponse = await source.fetch(`${apiURL}/user`, { headers });
  if (!userResponse.ok) throw new Error(`GitHub GET /user answered ${userResponse.status}`);
  const user = (await userResponse.json()) as { id?: unknown; login?: unknown; name?: unknown };
  if (typeof user.id !== "number" && typeof user.id !== "string") {
    throw new Error("GitHub GET /user answered without an id");
  }
  const emailsResponse = await source.fetch(`${apiURL}/user/emails`, { headers });
  const emails = emailsResponse.ok ? ((await emailsResponse.json()) as unknown) : [];
  const primary = Array.isArray(emails)
    ? (emails as GitHubEmail[]).find(
        (entry) => entry?.primary === true && typeof entry.email === "string",
      )
    : undefined;
  const name = typeof user.name === "string" && user.name !== "" ? user.name : user.login;
  return {
    subject: String(user.id),
    email: primary ? (primary.email as string) : null,
    emailVerified: primary?.verified === true,
    name: typeof name === "string" && name !== "" ? name : null,
  };
}

/**
 * Sign in with GitHub (OAuth 2.0; GitHub has no OpenID Connect for users). Create an OAuth app
 * with the callback URL `<baseURL><basePath>/oauth/github/callback`. The default scopes
 * `read:user user:email` let the library read the verified primary address.
 */
export function github(options: GitHubOptions): OAuthProvider {
  const insecure = options.allowInsecureIssuerForDevelopment === true;
  const serverURL = providerURL(
    "github",
    "serverURL",
    options.serverURL ?? "https://github.com",
    insecure,
  );
  const defaultAPI =
    options.serverURL === undefined ? "https://api.github.com" : `${serverURL}/api/v3`;
  const apiURL = providerURL("github", "apiURL", options.apiURL ?? defaultAPI, insecure);
  return {
    id: "github",
    name: "GitHub",
    server: {
      kind: "oauth2",
      issuer: `${serverURL}/login/oauth`,
      authorizationEndpoint: `${serverURL}/login/oauth/authorize`,
      tokenEndpoint: `${serverURL}/login/oauth/access_token`,
    },
    clientId: requiredString("github", "clientId", options.clientId),
    clientSecret: requiredString("github", "clientSecret", options.clientSecret),
    clientAuthentication: "client_secret_post",
    scopes: withScopes(options.scopes, ["read:user", "user:email"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    ...(insecure ? { allowInsecureIssuerForDevelopment: true } : {}),
    profile: (source) => githubProfile(apiURL, source),
  };
}
