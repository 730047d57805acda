import { type AuthEvent, consoleMailer, createAuth } from "portcullis";
import { defineAuth } from "portcullis/next";
import { sqliteStorage } from "portcullis/sqlite";

/**
 * One line per security event (sign-ins, failures, revocations, password changes...), e.g.
 * `[security] user.sign_in_failed {"userId":"...","ip":"::1","method":"password",...}`. Events
 * never hold a password or token; JSON keeps an attacker's user agent on its one line. (The
 * library logs its own start and errors itself, on stderr: this adds only the events.)
 */
function logSecurityEvent({ type, ...details }: AuthEvent): void {
  console.log(`[security] ${type} ${JSON.stringify(details)}`);
}

/*
 * The one Portcullis instance of this app. `defineAuth` creates it on the first request (so
 * `next build` needs no AUTH_SECRET) and keeps it on globalThis, so route handlers, server
 * components and server actions, which Next bundles separately, all share it. `instance()` is
 * the instance itself, for `instance().api.*` in server code (the dashboard's activity list).
 *
 * `secret` is left out: createAuth reads AUTH_SECRET. Without it, it makes a throwaway secret in
 * development (sessions end on restart) and refuses to serve in production (`npx portcullis
 * secret` prints one).
 */
export const { auth, handlers, requireAuth, instance } = defineAuth(() =>
  createAuth({
    baseURL: process.env.AUTH_URL ?? process.env.BASE_URL ?? "http://localhost:3000",
    // One SQLite file, created and migrated on first start.
    storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "portcullis-example.db" }),
    // Prints magic links and other mail to the server console; use smtpMailer(...) in production.
    mailer: consoleMailer(),
    // Every security event, as it happens; the dashboard reads them back from the audit log.
    on: { "*": logSecurityEvent },
  }),
);
