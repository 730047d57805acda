import * as z from "zod";
import { SESSION_CACHE_DEFAULTS } from "../cache/session-cache.js";
import type { RandomSource } from "../crypto/random.js";
import { AUTH_EVENT_TYPES, type AuthEventListeners } from "../events/events.js";
import {
  ARGON2_MEMORY_KIB_RANGE,
  DEFAULT_MAX_ARGON2_MEMORY_KIB,
} from "../password/argon2-limits.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { Storage } from "../storage/ports.js";
import { parseCIDR } from "../util/ip-address.js";
import type { Logger } from "../util/logger.js";
import { adminSchema } from "./admin-options.js";
import { mailOptionShape } from "./mail-options.js";
import { oauthSchema } from "./oauth-options.js";
import type { AuthOptions, Clock } from "./options.js";
import { parseOrigin } from "./origin.js";
import { tokensSchema } from "./token-options.js";
import { webhooksSchema } from "./webhook-options.js";

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
  "audit",
  "mfa",
] as const;
// `accounts` (linked OAuth identities) is left out on purpose: it is required only with `oauth`
// (checkOAuthStorage), so storages written before it keep working.

const positiveSeconds = z.number().int().positive();

/** A value whose `then` is a function: an adapter factory's promise that was not awaited. */
const isThenable = (value: object) => typeof (value as { then?: unknown }).then === "function";

/**
 * What is wrong with the `storage` option, as one sentence that says what to do, or null. A
 * string is never echoed: it may be a database URL with a password in it.
 */
function storageProblem(value: unknown): string | null {
  if (value === undefined || value === null) {
    return "storage is required: pass memoryStorage() for tests, or a database adapter, e.g. sqliteStorage({ path })";
  }
  if (typeof value === "function") {
    // A bundler may have renamed it: only a name that reads like an adapter factory is shown.
    const name = /^[A-Za-z_$][\w$]*storage$/i.test(value.name) ? value.name : "memoryStorage";
    const call = name === "memoryStorage" ? "memoryStorage()" : `${name}(...)`;
    return `storage is a function: call it, e.g. storage: ${call}`;
  }
  if (typeof value === "string") {
    const example = /^postgres(ql)?:/i.test(value)
      ? "postgresStorage({ pool: new pg.Pool({ connectionString }) })"
      : "sqliteStorage({ path })";
    return `storage is a string: pass a storage adapter, e.g. ${example}`;
  }
  if (typeof value !== "object") {
    return `storage is a ${typeof value}: pass a storage adapter, e.g. memoryStorage()`;
  }
  const missing = STORAGE_PORTS.filter(
    (port) => typeof (value as Record<string, unknown>)[port] !== "object",
  );
  if (missing.length === 0) return null;
  if (isThenable(value)) return "storage is a Promise: await the adapter before createAuth";
  if (missing.length === STORAGE_PORTS.length) {
    return `storage is not a storage adapter (it has none of the ports ${STORAGE_PORTS.join(", ")}): pass memoryStorage() or a database adapter, e.g. sqliteStorage({ path })`;
  }
  const ports = missing.length === 1 ? "the port" : "the ports";
  return `storage is missing ${ports}: ${missing.join(", ")}: combine adapters, e.g. { ...postgresStorage({ pool }), sessions: redisSessions(redis) }`;
}

const storageSchema = z.custom<Storage>().check((ctx) => {
  const message = storageProblem(ctx.value);
  if (message !== null) ctx.issues.push({ code: "custom", input: ctx.value, message });
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

const originSchema = z.string().check((ctx) => {
  const value = ctx.value;
  // A wildcard would be taken literally (`https://*.example.com` is a valid URL) and never match.
  const message = value.includes("*")
    ? `"${value}": wildcards are not supported: list each origin, e.g. ["https://app.example.com", "https://admin.example.com"]`
    : parseOrigin(value) === null
      ? `"${value}" is not an http(s) origin like https://app.example.com`
      : null;
  if (message !== null) ctx.issues.push({ code: "custom", input: value, message });
});

export const configSchema = z.strictObject({
  ...mailOptionShape,
  // Optional here: resolveConfig falls back to AUTH_URL / BASE_URL, and says when both are missing.
  baseURL: z
    .string({
      error: "baseURL must be a string: the origin of your app, e.g. http://localhost:3000",
    })
    .refine((value) => parseOrigin(value) !== null, {
      error: "baseURL must be an absolute http(s) URL, e.g. http://localhost:3000",
    })
    .optional(),
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
      maxArgon2MemoryKiB: z
        .number()
        .int()
        .min(ARGON2_MEMORY_KIB_RANGE.min)
        .max(ARGON2_MEMORY_KIB_RANGE.max)
        .default(DEFAULT_MAX_ARGON2_MEMORY_KIB),
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
      cache: z
        .union([
          z.literal(false),
          z.strictObject({
            maxEntries: z.number().int().positive().default(SESSION_CACHE_DEFAULTS.maxEntries),
            ttlSeconds: positiveSeconds.default(SESSION_CACHE_DEFAULTS.ttlSeconds),
            singleInstance: z.boolean().default(false),
          }),
        ])
        .optional(),
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
  audit: z
    .strictObject({
      retentionDays: z.number().int().min(0).max(36_500).default(365),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      token: z
        .string()
        .min(16, "metrics.token must be at least 16 characters")
        .regex(/^[\x21-\x7e]+$/, "metrics.token must be printable ASCII without spaces"),
    })
    .optional(),
  /** Who may call the admin routes: see admin-options.ts. */
  admin: adminSchema,
  /** Standard Webhooks endpoints: see webhook-options.ts. */
  webhooks: webhooksSchema,
  /** Social sign-in: see oauth-options.ts. */
  oauth: oauthSchema,
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
  logger: z
    .custom<Logger>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        ["debug", "info", "warn", "error"].every(
          (level) => typeof (value as Record<string, unknown>)[level] === "function",
        ),
      { error: "logger must have debug, info, warn and error methods (pino fits)" },
    )
    .optional(),
  on: z
    .custom<AuthEventListeners>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        Object.entries(value).every(
          ([type, listener]) =>
            (type === "*" || (AUTH_EVENT_TYPES as readonly string[]).includes(type)) &&
            typeof listener === "function",
        ),
      {
        error: `on must map event types (${AUTH_EVENT_TYPES.join(", ")}, or "*") to functions`,
      },
    )
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
