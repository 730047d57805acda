import { requiredString, withScopes } from "./checks.js";
import type { OAuthClientOptions } from "./oidc.js";
import type { OAuthProfile, OAuthProfileSource, OAuthProvider } from "./provider.js";

const API = "https://discord.com/api";

/** `GET /users/@me`: the snowflake id is the subject; `verified` says the email is. */
async function discordProfile(source: OAuthProfileSource): Promise<OAuthProfile> {
  const response = await source.fetch(`${API}/users/@me`, {
    headers: { Authorization: `Bearer ${source.accessToken}`, Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`Discord GET /users/@me answered ${response.status}`);
  const user = (await response.json()) as Record<string, unknown>;
  if (typeof user.id !== "string" || user.id === "") {
    throw new Error("Discord GET /users/@me answered without an id");
  }
  const email = typeof user.email === "string" && user.email !== "" ? user.email : null;
  const name = [user.global_name, user.username].find(
    (value): value is string => typeof value === "string" && value !== "",
  );
  return {
    subject: user.id,
    email,
    emailVerified: email !== null && user.verified === true,
    name: name ?? null,
  };
}

/**
 * Sign in with Discord (OAuth 2.0). Add the redirect `<baseURL><basePath>/oauth/discord/callback`
 * to the application; the default scopes `identify email` give the address and whether Discord
 * verified it.
 */
export function discord(options: OAuthClientOptions): OAuthProvider {
  return {
    id: "discord",
    name: "Discord",
    server: {
      kind: "oauth2",
      issuer: "https://discord.com",
      authorizationEndpoint: "https://discord.com/oauth2/authorize",
      tokenEndpoint: `${API}/oauth2/token`,
    },
    clientId: requiredString("discord", "clientId", options.clientId),
    clientSecret: requiredString("discord", "clientSecret", options.clientSecret),
    clientAuthentication: "client_secret_post",
    scopes: withScopes(options.scopes, ["identify", "email"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    profile: discordProfile,
  };
}
