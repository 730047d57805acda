import { consoleMailer, createAuth } from "portcullis";
import { sqliteStorage } from "portcullis/sqlite";

/** Development fallbacks warn; set real values in the environment before deploying. */
function fromEnv(name: string, fallback: string): string {
  const value = process.env[name];
  if (value) return value;
  console.warn(`[example] ${name} is not set: using the development default "${fallback}"`);
  return fallback;
}

export const port = Number(process.env.PORT ?? 3000);

export const auth = createAuth({
  baseURL: fromEnv("BASE_URL", `http://localhost:${port}`),
  secret: fromEnv("AUTH_SECRET", "development-only-secret-change-me-0123456789"),
  // One SQLite file, created and migrated on first start.
  storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "portcullis-example.db" }),
  // Prints magic links and other mail to the server console; use smtpMailer() in production.
  mailer: consoleMailer(),
});
