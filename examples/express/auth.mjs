// One Portcullis instance for the whole app. Configuration comes from the environment; the
// development fallbacks warn, so a deployment that forgot a variable says so in its log.
import { consoleMailer, createAuth } from "portcullis";
import { sqliteStorage } from "portcullis/sqlite";

function fromEnv(name, developmentDefault) {
  const value = process.env[name];
  if (value) return value;
  if (process.env.NODE_ENV === "production") {
    throw new Error(`[example] ${name} must be set when NODE_ENV=production`);
  }
  console.warn(
    `[example] ${name} is not set: using the development default "${developmentDefault}"`,
  );
  return developmentDefault;
}

export const port = Number(process.env.PORT ?? 3000);

export const auth = createAuth({
  // The origin browsers use: trusted for CSRF, the passkey relying party, the base of mail links.
  baseURL: fromEnv("BASE_URL", `http://localhost:${port}`),
  // 32+ bytes, e.g. `openssl rand -base64 32`. Required when NODE_ENV=production.
  secret: fromEnv("AUTH_SECRET", "development-only-secret-change-me-0123456789"),
  // One SQLite file, created and migrated on first start.
  storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "./portcullis.db" }),
  // Prints magic links to this terminal. Use smtpMailer(...) from "portcullis/smtp" in production.
  // With a mailer, magic links are on. Passkeys need no option: the relying party is baseURL's host.
  mailer: consoleMailer(),
});
