import { consoleMailer, createAuth } from "portcullis";
import { getAuth } from "portcullis/next";
import { sqliteStorage } from "portcullis/sqlite";

/** Development fallbacks warn once; set real values in the environment before deploying. */
function fromEnv(name: string, fallback: string): string {
  const value = process.env[name];
  if (value) return value;
  console.warn(
    `[example] ${name} is not set: using the development default "${fallback.slice(0, 12)}…"`,
  );
  return fallback;
}

function createExampleAuth() {
  return createAuth({
    baseURL: fromEnv("BASE_URL", "http://localhost:3000"),
    secret: fromEnv("AUTH_SECRET", "development-only-secret-change-me-0123456789"),
    // One SQLite file, created and migrated on first start.
    storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "portcullis-example.db" }),
    // Prints magic links and other mail to the server console; use smtpMailer(...) in production.
    mailer: consoleMailer(),
  });
}

// Next bundles each route on its own; one instance per process keeps one store behind all of them.
const globalForAuth = globalThis as unknown as {
  portcullisExample?: ReturnType<typeof createAuth>;
};
if (!globalForAuth.portcullisExample) globalForAuth.portcullisExample = createExampleAuth();
export const auth = globalForAuth.portcullisExample;

/** `await getSession()` in server components, route handlers and server actions. */
export const getSession = getAuth(auth);
