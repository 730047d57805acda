import * as z from "zod";
import type { Mailer } from "../mail/message.js";
import type { MailTemplates } from "../mail/templates.js";

/*
 * The options of the email features, spread into the config schema. `enabled` left unset means
 * "on when mail can be delivered": always outside production (the console mailer prints), and in
 * production only with a `mailer`. Setting an email feature on in production without a mailer is
 * a ConfigError (see `resolveEmailFeatures`). Each option is documented on `AuthOptions`.
 */

const DAY = 24 * 60 * 60;
const seconds = z.number().int().positive();

const mailerSchema = z.custom<Mailer>(
  (value) => typeof (value as { send?: unknown } | null)?.send === "function",
  { error: "mailer must have a send(message) method" },
);

const templatesSchema = z.custom<MailTemplates>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    Object.values(value).every((template) => typeof template === "function"),
  { error: "emailTemplates must map message types to functions" },
);

/** A page to send the browser to: a path on baseURL or an absolute URL of a trusted origin. */
const pageSchema = z.string().min(1).max(2048);

export const mailOptionShape = {
  mailer: mailerSchema.optional(),
  /** Shown in every message; defaults to baseURL's host. */
  appName: z.string().trim().min(1).max(100).optional(),
  emailTemplates: templatesSchema.default({}),
  emailVerification: z
    .strictObject({
      sendOnRegister: z.boolean().default(false),
      /** Sign-in of an unverified account answers `email_not_verified`. */
      required: z.boolean().default(false),
      /** Where `GET /auth/email/verify` sends the browser; baseURL by default. */
      redirectTo: pageSchema.optional(),
      ttl: seconds.default(DAY),
    })
    .prefault({}),
  magicLink: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Creates the account on first use of an unknown address. */
      signUp: z.boolean().default(true),
      /** Seconds a link stays valid: 10 minutes by default, like the code (ASVS 6.5.5). */
      ttl: seconds.max(DAY).default(10 * 60),
      /**
       * For mail systems whose link scanners follow GET links (some corporate gateways): the
       * link no longer signs in by itself. `GET /auth/magic-link/verify` uses nothing up and
       * shows a confirmation step (`confirmPage`, or a minimal page of the library's own with
       * one button); the sign-in happens on `POST /auth/magic-link/verify { token, redirectTo? }`.
       * Off by default: the link signs in with one click.
       */
      confirm: z.boolean().default(false),
      /**
       * With `confirm`, the app's own confirmation page, sent `?token=` (and `&redirectTo=`); it
       * POSTs them to `/auth/magic-link/verify`. A path on baseURL or a URL of a trusted origin.
       * Default: the library serves the page.
       */
      confirmPage: pageSchema.optional(),
      codeTtl: seconds.max(3600).default(10 * 60),
      /** Guesses allowed per code; more would weaken the 6-digit code. */
      codeAttempts: z.number().int().min(1).max(10).default(5),
    })
    .prefault({}),
  passwordReset: z
    .strictObject({
      enabled: z.boolean().optional(),
      ttl: seconds.max(DAY).default(3600),
      /** The app's reset page; the link is this URL with `?token=`. Default: baseURL/reset-password. */
      url: pageSchema.optional(),
    })
    .prefault({}),
  emailChange: z
    .strictObject({
      enabled: z.boolean().optional(),
      // `freshAge` moved to `session.freshAge`: see MOVED_OPTIONS in schema.ts.
      ttl: seconds.default(DAY),
      /** Where the confirmation link sends the browser; baseURL by default. */
      redirectTo: pageSchema.optional(),
    })
    .prefault({}),
  /** Mail sent per address (each kind counted apart), alike for existing and unknown addresses. */
  mailRateLimit: z
    .strictObject({ max: z.number().int().positive().default(5), window: seconds.default(3600) })
    .prefault({}),
  outbox: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).default(8),
      backoffSeconds: seconds.default(30),
      maxBackoffSeconds: seconds.default(3600),
      leaseSeconds: seconds.default(60),
      batchSize: z.number().int().min(1).max(1000).default(50),
    })
    .prefault({}),
};
