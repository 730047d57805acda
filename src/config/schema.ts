import { z } from "zod";
import type { RandomSource } from "../crypto/random.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { Storage } from "../storage/ports.js";
import { parseCIDR } from "../util/ip-address.js";
import { mailOptionShape } from "./mail-options.js";
import type { AuthOptions, Clock } from "./options.js";
import { parseOrigin } from "./origin.js";
import { tokensSchema } from "./token-options.js";

/*
 * The startup check of every option: types, ranges and defaults. Every object of options is a
 * strict object, so an unknown key (a typo, an option that moved) is an error at any level;
 * the values the user hands in (storage, mailer, passwordHasher, clock, random, emailTemplates,
 * a JWK) are `z.custom`/records whose own keys are never checked. The documented contract is
 * the `AuthOptions` interface (options.ts): the check at the bottom of this file keeps the two
 * in step.
 */

const DAY = 24 * 60 * 60;
const STORAGE_PORTS = [
  "users",
  "passwords",
  "sessions",
  "verifications",
  "rateLimits",
  "passkeys",
  "outbox",
  "refreshTokens",
  "revocations",
] as const;

const positiveSeconds = z.number().int().positive();

const storageSchema = z
  .custom<Storage>((value) => typeof value === "object" && value !== null, {
    error: "storage is required: pass memoryStorage() for tests, or a database adapter",
  })
  .check((ctx) => {
    for (const port of STORAGE_PORTS) {
      if (typeof (ctx.value as unknown as Record<string, unknown>)[port] !== "object") {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `storage has no "${port}" port: combine adapters so every port is covered`,
        });
      }
    }
  });

const hasherSchema = z.custom<PasswordHasher>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as PasswordHasher).hash === "function" &&
    typeof (value as PasswordHasher).verify === "function" &&
    typeof (value as PasswordHasher).needsRehash === "function",
  { error: "passwordHasher must implement hash, verify and needsRehash" },
);

const originSchema = z.string().refine((value) => parseOrigin(value) !== null, {
  error: (issue) =>
    `"${String(issue.input)}" is not an http(s) origin like https://app.example.com`,
});

export const configSchema = z.strictObject({
  ...mailOptionShape,
  baseURL: z
    .string({ error: "baseURL is required: the origin of your app, e.g. http://localhost:3000" })
    .refine((value) => parseOrigin(value) !== null, {
      error: "baseURL must be an absolute http(s) URL",
    }),
  basePath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, "basePath must start with / and not end with /")
    .default("/auth"),
  secret: z
    .string()
    .check((ctx) => {
      const bytes = new TextEncoder().encode(ctx.value).length;
      if (bytes < 32) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `secret must be at least 32 bytes (got ${bytes})`,
        });
      }
    })
    .optional(),
  storage: storageSchema,
  trustedOrigins: z.array(originSchema).default([]),
  passwordHasher: hasherSchema.optional(),
  password: z
    .strictObject({
      minLength: z.number().int().min(1).max(256).default(8),
      maxBytes: z.number().int().min(64).max(4096).default(1024),
      rejectCommon: z.boolean().default(true),
      isBreached: z
        .custom<(password: string) => Promise<boolean>>((value) => typeof value === "function", {
          error: "password.isBreached must be a function",
        })
        .optional(),
    })
    .prefault({}),
  session: z
    .strictObject({
      cookieName: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/)
        .default("portcullis.session"),
      cookieDomain: z.string().min(1).optional(),
      maxAge: positiveSeconds.default(30 * DAY),
      updateAge: positiveSeconds.default(DAY),
      absoluteLifetime: positiveSeconds.default(90 * DAY),
      freshAge: positiveSeconds.default(10 * 60),
    })
    .prefault({})
    .refine((session) => session.updateAge < session.maxAge, {
      error: "session.updateAge must be shorter than session.maxAge",
      path: ["updateAge"],
    })
    .refine((session) => session.maxAge <= session.absoluteLifetime, {
      error: "session.maxAge must not exceed session.absoluteLifetime",
      path: ["maxAge"],
    }),
  rateLimit: z
    .strictObject({
      perIP: z
        .strictObject({
          max: z.number().int().positive().default(30),
          window: positiveSeconds.default(60),
          ipv6Prefix: z.number().int().min(32).max(128).default(64),
        })
        .prefault({}),
      loginFailures: z
        .strictObject({
          freeAttempts: z.number().int().positive().default(5),
          window: positiveSeconds
            .min(DAY, "rateLimit.loginFailures.window must be at least a day (86400 seconds)")
            .default(30 * DAY),
          lockSeconds: positiveSeconds.default(30),
          maxLockSeconds: positiveSeconds.default(3600),
          maxConsecutive: z
            .number()
            .int()
            .min(1)
            .max(
              100,
              "rateLimit.loginFailures.maxConsecutive must be at most 100 (NIST SP 800-63B)",
            )
            .default(100),
        })
        .prefault({})
        .refine((failures) => failures.maxLockSeconds < failures.window, {
          error: "rateLimit.loginFailures.maxLockSeconds must be shorter than its window",
          path: ["maxLockSeconds"],
        }),
    })
    .prefault({}),
  passkey: z
    .strictObject({
      rpID: z
        .string()
        .regex(/^[a-z0-9.-]+$/i, "passkey.rpID must be a bare host name, e.g. example.com")
        .optional(),
      rpName: z.string().min(1).max(64).optional(),
      origins: z.array(originSchema).min(1).optional(),
      userVerification: z.enum(["preferred", "required"]).default("preferred"),
      attestation: z.literal("none").default("none"),
      algorithms: z
        .array(z.union([z.literal(-8), z.literal(-7), z.literal(-257)]))
        .min(1)
        .default([-8, -7, -257]),
      signUp: z.boolean().default(false),
    })
    .prefault({}),
  trustedProxies: z
    .array(
      z.string().refine((entry) => parseCIDR(entry) !== null, {
        error: (issue) =>
          `"${String(issue.input)}" is not an IP address or CIDR range like 10.0.0.0/8 or 2001:db8::/32`,
      }),
    )
    .default([]),
  clientIPHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .transform((value) => value.toLowerCase())
    .optional(),
  tokens: tokensSchema,
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  clock: z
    .custom<Clock>((value) => typeof (value as { now?: unknown })?.now === "function", {
      error: "clock must have a now() method returning milliseconds",
    })
    .optional(),
  random: z
    .custom<RandomSource>((value) => typeof (value as { fill?: unknown })?.fill === "function", {
      error: "random must have a fill(bytes) method",
    })
    .optional(),
});

/** The options once parsed: every default filled in, before `resolveConfig` derives the rest. */
export type ParsedOptions = z.output<typeof configSchema>;

/**
 * Options that moved or went away, with what to say when one is still used. They are unknown
 * keys to the schema (so the type of `AuthOptions` refuses them too); the message points on.
 */
export const MOVED_OPTIONS: Readonly<Record<string, string>> = {
  "emailChange.freshAge":
    "emailChange.freshAge is now session.freshAge (it covers every sensitive change)",
};

/*
 * Compile-time check: `AuthOptions` (documented, what editors show) and the schema's input type
 * accept exactly the same options, at every level, with the same optionality and value types.
 * If tsc fails on `OptionsMatchSchema`, an option was added to (or changed in) one and not the
 * other: compare `AuthOptions` with `z.input<typeof configSchema>`.
 */
type Normalize<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { [K in keyof T]: Normalize<T[K]> }
    : T;
type Equals<A, B> =
  (<T>() => T extends Normalize<A> ? 1 : 2) extends <T>() => T extends Normalize<B> ? 1 : 2
    ? true
    : false;
type Assert<T extends true> = T;
export type OptionsMatchSchema = Assert<Equals<AuthOptions, z.input<typeof configSchema>>>;
