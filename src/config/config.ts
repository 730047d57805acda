import { z } from "zod";
import { type RandomSource, webCryptoRandom } from "../crypto/random.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { PasswordPolicyOptions } from "../password/policy.js";
import type { Storage } from "../storage/ports.js";
import { parseCIDR } from "../util/ip-address.js";
import { mailOptionShape } from "./mail-options.js";
import { tokensSchema } from "./token-options.js";

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

/** Thrown by `createAuth` when an option is wrong; the message names the option and the reason. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

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

const configSchema = z.object({
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
    .object({
      minLength: z.number().int().min(1).max(256).default(8),
      maxBytes: z.number().int().min(64).max(4096).default(1024),
      rejectCommon: z.boolean().default(true),
      isBreached: z
        .custom<PasswordPolicyOptions["isBreached"]>((value) => typeof value === "function", {
          error: "password.isBreached must be a function",
        })
        .optional(),
    })
    .prefault({}),
  session: z
    .object({
      cookieName: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/)
        .default("portcullis.session"),
      cookieDomain: z.string().min(1).optional(),
      maxAge: positiveSeconds.default(30 * DAY),
      updateAge: positiveSeconds.default(DAY),
      absoluteLifetime: positiveSeconds.default(90 * DAY),
      /**
       * Seconds after sign-in during which a session may make sensitive changes (add a passkey,
       * sign out other sessions, change the email) without the current password.
       */
      freshAge: positiveSeconds.default(10 * 60),
    })
    .prefault({})
    .refine((session) => session.updateAge < session.maxAge, {
      error: "session.updateAge must be shorter than session.maxAge",
    })
    .refine((session) => session.maxAge <= session.absoluteLifetime, {
      error: "session.maxAge must not exceed session.absoluteLifetime",
    }),
  rateLimit: z
    .object({
      perIP: z
        .object({
          max: z.number().int().positive().default(30),
          window: positiveSeconds.default(60),
          /**
           * How many leading bits of an IPv6 address name one client: a subscriber is usually
           * given a whole /64 and may use any address in it, so the limit counts the /64.
           * IPv4 (and IPv4-mapped IPv6) clients are counted by their full address.
           */
          ipv6Prefix: z.number().int().min(32).max(128).default(64),
        })
        .prefault({}),
      /**
       * Failed password sign-ins per account identifier (unknown emails counted alike). Past
       * `freeAttempts` consecutive failures each one locks the account for twice as long as the
       * one before (from `lockSeconds`, at most `maxLockSeconds`); at `maxConsecutive` failures
       * without a success (NIST SP 800-63B-4: at most 100) password sign-in is refused for a
       * whole `window` or until a password reset. `window` is how long the failure count is
       * remembered, counted from the first failure after a success: a success or a password
       * reset clears it, waiting out the locks does not. A guesser who paces attempts therefore
       * gets at most `maxConsecutive` per `window`, whence the long default (30 days).
       */
      loginFailures: z
        .object({
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
        }),
    })
    .prefault({}),
  passkey: z
    .object({
      /** The WebAuthn relying-party ID; default: baseURL's hostname. */
      rpID: z
        .string()
        .regex(/^[a-z0-9.-]+$/i, "passkey.rpID must be a bare host name, e.g. example.com")
        .optional(),
      /** The name authenticators show; default: appName, else the rpID. */
      rpName: z.string().min(1).max(64).optional(),
      /** Origins a ceremony may come from; default: baseURL's origin. */
      origins: z.array(originSchema).min(1).optional(),
      userVerification: z.enum(["preferred", "required"]).default("preferred"),
      attestation: z.literal("none").default("none"),
      /** COSE algorithms: Ed25519 (-8), ES256 (-7), RS256 (-257). */
      algorithms: z
        .array(z.union([z.literal(-8), z.literal(-7), z.literal(-257)]))
        .min(1)
        .default([-8, -7, -257]),
      /** Lets a visitor create an account with a passkey alone, no password. */
      signUp: z.boolean().default(false),
    })
    .prefault({}),
  /** Proxies whose X-Forwarded-For is believed: addresses or CIDR ranges, IPv4 or IPv6. */
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
    .custom<{ now(): number }>((value) => typeof (value as { now?: unknown })?.now === "function", {
      error: "clock must have a now() method returning milliseconds",
    })
    .optional(),
  random: z
    .custom<RandomSource>((value) => typeof (value as { fill?: unknown })?.fill === "function", {
      error: "random must have a fill(bytes) method",
    })
    .optional(),
});

export type AuthConfig = z.input<typeof configSchema>;

export interface ResolvedConfig extends Omit<z.output<typeof configSchema>, "secret"> {
  secret: string;
  /** The origin of baseURL, e.g. `https://app.example.com`. */
  origin: string;
  /** baseURL's origin and every trusted origin: where credentialed browser requests may come from. */
  allowedOrigins: ReadonlySet<string>;
  secure: boolean;
  /** The session cookie's name, with `__Host-` when the cookie is Secure and host-only. */
  cookieName: string;
  clock: { now(): number };
  random: RandomSource;
}

export function parseOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join(".");
  if (issue.message.startsWith(path) || path === "") return issue.message;
  return `${path}: ${issue.message}`;
}

export function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.NODE_ENV === "production";
}

/** Validates options and resolves every default; throws `ConfigError` naming the first bad option. */
export function resolveConfig(config: AuthConfig): ResolvedConfig {
  const parsed = configSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const messages = parsed.error.issues.map(describeIssue);
    throw new ConfigError(`Invalid Portcullis config: ${messages.join("; ")}`);
  }
  const options = parsed.data;
  const random = options.random ?? webCryptoRandom;
  let secret = options.secret;
  if (secret === undefined) {
    if (isProduction())
      throw new ConfigError("Invalid Portcullis config: secret is required in production");
    secret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    console.warn(
      "[portcullis] no secret configured: using a random one, so tokens signed with it die with this process",
    );
  }
  const origin = parseOrigin(options.baseURL) as string;
  const secure = origin.startsWith("https:");
  const hostOnly = options.session.cookieDomain === undefined;
  return {
    ...options,
    secret,
    origin,
    allowedOrigins: new Set([
      origin,
      ...options.trustedOrigins.map((o) => parseOrigin(o) as string),
    ]),
    secure,
    cookieName:
      secure && hostOnly ? `__Host-${options.session.cookieName}` : options.session.cookieName,
    clock: options.clock ?? { now: () => Date.now() },
    random,
  };
}
