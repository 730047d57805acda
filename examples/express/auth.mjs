// One Portcullis instance for the whole app. Configuration comes from the environment; the
// development fallbacks warn, so a deployment that forgot a variable says so in its log.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { consoleMailer, createAuth } from "portcullis";
import { discord, github, gitlab, google, microsoft, oidc } from "portcullis/oauth";
import { sqliteStorage } from "portcullis/sqlite";

const production = process.env.NODE_ENV === "production";

function fromEnv(name, developmentDefault) {
  const value = process.env[name];
  if (value) return value;
  if (production) {
    throw new Error(`[example] ${name} must be set when NODE_ENV=production`);
  }
  console.warn(
    `[example] ${name} is not set: using the development default "${developmentDefault}"`,
  );
  return developmentDefault;
}

/**
 * `undefined` when AUTH_SECRET is set: createAuth then reads it itself. Production must set it
 * (`npx portcullis secret` makes one). In development without it, a random secret is made on the
 * first start and kept in `.portcullis-secret` next to this file (git-ignored, readable only by
 * you), so sessions survive restarts and no secret is ever written in the code.
 */
function developmentSecret() {
  if (process.env.AUTH_SECRET) return undefined;
  if (production) {
    throw new Error(
      "[example] AUTH_SECRET must be set when NODE_ENV=production (`npx portcullis secret` makes one)",
    );
  }
  const file = fileURLToPath(new URL(".portcullis-secret", import.meta.url));
  let secret;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  }
  console.warn(`[example] AUTH_SECRET is not set: using the development secret in ${file}`);
  return secret;
}

export const port = Number(process.env.PORT ?? 3000);

/**
 * One line per security event (sign-ins, failures, revocations, password changes...), e.g.
 * `[security] user.sign_in_failed {"userId":"...","ip":"::1","method":"password",...}`. Events
 * never hold a password or token; JSON keeps an attacker's user agent on its one line. (The
 * library logs its own start and errors itself, on stderr: this adds only the events.)
 */
function logSecurityEvent({ type, ...details }) {
  console.log(`[security] ${type} ${JSON.stringify(details)}`);
}

/** `{ clientId, clientSecret }` from `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`, or null. */
function clientFromEnv(prefix) {
  const clientId = process.env[`${prefix}_CLIENT_ID`];
  const clientSecret = process.env[`${prefix}_CLIENT_SECRET`];
  if (!clientId && !clientSecret) return null;
  if (!clientId || !clientSecret) {
    throw new Error(
      `[example] set both ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET, or neither`,
    );
  }
  return { clientId, clientSecret };
}

/**
 * "Sign in with ..." for each provider whose client is in the environment; none without. Each
 * provider needs the redirect URI `<BASE_URL>/auth/oauth/<id>/callback` registered with it.
 */
function providersFromEnv() {
  const presets = [
    ["GOOGLE", google],
    ["GITHUB", github],
    ["MICROSOFT", (client) => microsoft({ ...client, tenant: process.env.MICROSOFT_TENANT })],
    ["DISCORD", discord],
    ["GITLAB", gitlab],
  ];
  const providers = presets.flatMap(([prefix, preset]) => {
    const client = clientFromEnv(prefix);
    return client ? [preset(client)] : [];
  });
  // Any OpenID Connect provider (Okta, Auth0, Keycloak, a local test one...), found by discovery.
  const client = clientFromEnv("OIDC");
  if (client || process.env.OIDC_ISSUER) {
    if (!client || !process.env.OIDC_ISSUER) {
      throw new Error(
        "[example] OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together: set all three, or none",
      );
    }
    providers.push(
      oidc({
        ...client,
        id: process.env.OIDC_ID ?? "oidc",
        name: process.env.OIDC_NAME || undefined,
        issuer: process.env.OIDC_ISSUER,
        // Plain http, for an identity provider on your machine only: refused in production.
        allowInsecureIssuerForDevelopment:
          process.env.OIDC_ALLOW_INSECURE_ISSUER_FOR_DEVELOPMENT === "true",
      }),
    );
  }
  return providers;
}

const providers = providersFromEnv();

/** What the pages show of each provider: its id (in the routes) and its name ("Google"). */
export const signInProviders = providers.map(({ id, name }) => ({ id, name }));

export const auth = createAuth({
  // The origin browsers use: trusted for CSRF, the passkey relying party, the base of mail links.
  baseURL: fromEnv("BASE_URL", `http://localhost:${port}`),
  // 32+ bytes. Left out (undefined), createAuth reads AUTH_SECRET, which production must set.
  secret: developmentSecret(),
  // One SQLite file, created and migrated on first start.
  storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "./portcullis.db" }),
  // Prints magic links to this terminal. Use smtpMailer(...) from "portcullis/smtp" in production.
  // With a mailer, magic links are on. Passkeys need no option: the relying party is baseURL's host.
  mailer: consoleMailer(),
  // Every security event, as it happens; the account page reads them back from the audit log.
  on: { "*": logSecurityEvent },
  // Social sign-in, only when a provider is configured (see providersFromEnv above).
  ...(providers.length > 0 ? { oauth: { providers } } : {}),
});
