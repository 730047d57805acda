import { consoleMailer, createAuth } from "portcullis";
import { defineAuth } from "portcullis/next";
import { sqliteStorage } from "portcullis/sqlite";

/*
 * The one Portcullis instance of this app. `defineAuth` creates it on the first request (so
 * `next build` needs no AUTH_SECRET) and keeps it on globalThis, so route handlers, server
 * components and server actions, which Next bundles separately, all share it.
 *
 * `secret` is left out: createAuth reads AUTH_SECRET. Without it, it makes a throwaway secret in
 * development (sessions end on restart) and refuses to serve in production (`npx portcullis
 * secret` prints one).
 */
export const { auth, handlers, requireAuth } = defineAuth(() =>
  createAuth({
    baseURL: process.env.AUTH_URL ?? process.env.BASE_URL ?? "http://localhost:3000",
    // One SQLite file, created and migrated on first start.
    storage: sqliteStorage({ path: process.env.DATABASE_PATH ?? "portcullis-example.db" }),
    // Prints magic links and other mail to the server console; use smtpMailer(...) in production.
    mailer: consoleMailer(),
  }),
);
