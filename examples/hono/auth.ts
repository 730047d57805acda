import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type AuthEvent, consoleMailer, createAuth } from "portcullis";
import { sqliteStorage } from "portcullis/sqlite";

const production = process.env.NODE_ENV === "production";

/** Development fallbacks warn; set real values in the environment before deploying. */
function fromEnv(name: string, fallback: string): string {
  const value = process.env[name];
  if (value) return value;
  console.warn(`[example] ${name} is not set: using the development default "${fallback}"`);
  return fallback;
}

/**
 * `undefined` when AUTH_SECRET is set: createAuth then reads it itself. Production must set it
 * (`npx portcullis secret` makes one). In development without it, a random secret is made on the
 * first start and kept in `.portcullis-secret` next to this file (git-ignored, readable only by
 * you), so sessions survive restarts and no secret is ever written in the code.
 */
function developmentSecret(): string | undefined {
  if (process.env.AUTH_SECRET) return undefined;
  if (production) {
    throw new Error(
      "[example] AUTH_SECRET must be set when NODE_ENV=production (`npx portcullis secret` makes one)",
    );
  }
  const file = fileURLToPath(new URL(".portcullis-secret", import.meta.url));
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
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
function logSecurityEvent({ type, ...details }: AuthEvent): void {
  console.log(`[security] ${type} ${JSON.stringify(details)}`);
}

export const auth = createAuth({
  baseURL: fromEnv("BASE_URL", `http://localhost:${port}`),
  // 32+ bytes. Left out (undefined), createAuth reads AUTH_SECRET, which production must set.
  secret: developmentSecret(),
  // One SQLite file, created and migrated on first start.
  storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "portcullis-example.db" }),
  // Prints magic links and other mail to the server console; use smtpMailer() in production.
  mailer: consoleMailer(),
  // Every security event, as it happens; the dashboard reads them back from the audit log.
  on: { "*": logSecurityEvent },
});
