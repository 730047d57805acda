/*
 * Type tests for the options contract, checked by `tsc --noEmit` (tsconfig includes test/; the
 * file is not a vitest test). It compiles only while `AuthOptions` accepts every option below,
 * refuses the typos under `@ts-expect-error`, and stays a plain documented interface rather than
 * a zod type.
 */
import {
  type AuthConfig,
  type AuthOptions,
  argon2id,
  ConfigError,
  type ConfigIssue,
  consoleMailer,
  createAuth,
  html,
  memoryStorage,
} from "../../src/index.js";
import { github, google, oidc } from "../../src/oauth-providers/index.js";

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

// Objects the user hands in whole: their own keys are not options.
type UserObjects =
  | "storage"
  | "mailer"
  | "passwordHasher"
  | "clock"
  | "random"
  | "emailTemplates"
  | "on"
  | "logger";
/** Every option required, at every level of option groups (not inside arrays or user objects). */
type Every<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[] | ((...args: never[]) => unknown)
    ? NonNullable<T[K]>
    : NonNullable<T[K]> extends object
      ? Every<NonNullable<T[K]>>
      : NonNullable<T[K]>;
};
type EveryOption = Every<Omit<AuthOptions, UserObjects>> & Required<Pick<AuthOptions, UserObjects>>;

// Every option, once: an option added to AuthOptions and not here, or one here that
// AuthOptions does not have, fails to compile.
export const everyOption = {
  baseURL: "https://app.example.com",
  basePath: "/auth",
  secret: "a-secret-that-is-at-least-32-bytes-long",
  storage: memoryStorage(),
  trustedOrigins: ["https://admin.example.com"],
  trustedProxies: ["10.0.0.0/8", "::1"],
  clientIPHeader: "cf-connecting-ip",
  maxBodyBytes: 64 * 1024,
  passwordHasher: argon2id(),
  password: {
    minLength: 12,
    maxBytes: 1024,
    rejectCommon: true,
    isBreached: async (password) => password === "hunter2",
    maxArgon2MemoryKiB: 262_144,
  },
  session: {
    cookieName: "portcullis.session",
    cookieDomain: "example.com",
    maxAge: 30 * 86400,
    updateAge: 86400,
    absoluteLifetime: 90 * 86400,
    freshAge: 600,
    cache: { maxEntries: 10_000, ttlSeconds: 30, singleInstance: false },
  },
  rateLimit: {
    perIP: { max: 30, window: 60, ipv6Prefix: 64 },
    loginFailures: {
      freeAttempts: 5,
      window: 30 * 86400,
      lockSeconds: 30,
      maxLockSeconds: 3600,
      maxConsecutive: 100,
    },
  },
  passkey: {
    rpID: "example.com",
    rpName: "Example",
    origins: ["https://app.example.com"],
    userVerification: "required",
    attestation: "none",
    algorithms: [-8, -7, -257],
    signUp: true,
  },
  tokens: {
    algorithm: "EdDSA",
    keys: [
      { kid: "2026-06", alg: "EdDSA", pem: "-----BEGIN PRIVATE KEY-----..." },
      { kid: "2026-01", jwk: { kty: "OKP", crv: "Ed25519", x: "..." } },
      { kid: "shared", alg: "HS256", secret: "a-shared-secret-of-at-least-32-bytes" },
    ],
    accessTokenTTL: 900,
    refreshTokenTTL: 30 * 86400,
    audience: ["https://api.example.com"],
    clientId: "portcullis",
    clockTolerance: 5,
    refreshReuseGrace: 10,
  },
  mailer: consoleMailer(),
  appName: "Example",
  emailTemplates: {
    "magic-link": (data) => ({ subject: "Sign in", text: data.url ?? "", html: html`${data.url}` }),
  },
  emailVerification: { sendOnRegister: true, required: true, redirectTo: "/welcome", ttl: 86400 },
  magicLink: {
    enabled: true,
    signUp: true,
    ttl: 600,
    confirm: true,
    confirmPage: "/confirm-sign-in",
    codeTtl: 600,
    codeAttempts: 5,
  },
  passwordReset: { enabled: true, ttl: 3600, url: "/reset-password" },
  emailChange: { enabled: true, ttl: 86400, redirectTo: "/account" },
  mailRateLimit: { max: 5, window: 3600 },
  outbox: {
    maxAttempts: 8,
    backoffSeconds: 30,
    maxBackoffSeconds: 3600,
    leaseSeconds: 60,
    batchSize: 50,
  },
  audit: { retentionDays: 365 },
  metrics: { token: "a-metrics-token-of-16+-chars" },
  admin: {
    token: "an-admin-token-of-at-least-32-characters",
    isAdmin: async (user) => user.metadata.role === "admin" && user.disabledAt === null,
  },
  webhooks: [
    {
      url: "https://hooks.example.com/portcullis",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      events: ["user.registered", "user.locked_out"],
      timeoutSeconds: 10,
      allowInsecureUrl: false,
    },
  ],
  oauth: {
    providers: [
      google({ clientId: "id.apps.googleusercontent.com", clientSecret: "secret" }),
      github({ clientId: "Iv1.abc", clientSecret: "secret", scopes: ["read:user", "user:email"] }),
      oidc({
        id: "okta",
        name: "Okta",
        issuer: "https://example.okta.com",
        clientId: "c",
        clientSecret: "s",
      }),
    ],
    signUp: true,
    storeTokens: false,
  },
  clock: { now: () => Date.now() },
  random: { fill: (bytes: Uint8Array) => crypto.getRandomValues(bytes) },
  on: { "user.signed_in": (event) => void event.method, "*": (event) => void event.type },
  logger: console,
} satisfies EveryOption;
export const everyOptionIsAuthOptions: AuthOptions = everyOption;

export const minimal: AuthOptions = {
  baseURL: "http://localhost:3000",
  storage: memoryStorage(),
};

export function typos() {
  const base = { baseURL: "https://app.example.com", storage: memoryStorage() };
  createAuth({
    ...base,
    // @ts-expect-error a misspelt option is refused
    sesion: { maxAge: 3600 },
  });
  createAuth({
    ...base,
    // @ts-expect-error a misspelt nested option is refused too
    session: { maxage: 3600 },
  });
  createAuth({
    ...base,
    // @ts-expect-error deeper still
    rateLimit: { perIP: { ipv6prefix: 48 } },
  });
  createAuth({
    ...base,
    // @ts-expect-error emailChange.freshAge moved to session.freshAge
    emailChange: { freshAge: 600 },
  });
  createAuth({
    ...base,
    // @ts-expect-error isAdmin answers a boolean (or a promise of one), not the user's role
    admin: { isAdmin: (user) => user.metadata.role },
  });
  createAuth({
    ...base,
    webhooks: [
      {
        url: "https://hooks.example.com",
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        // @ts-expect-error webhook events are event types (or "*"), not any string
        events: ["user.signed_up"],
      },
    ],
  });
  createAuth({
    ...base,
    // @ts-expect-error a provider is made by a factory of portcullis/oauth, not named by a string
    oauth: { providers: ["google"] },
  });
  createAuth({
    ...base,
    // @ts-expect-error providers are required once oauth is given
    oauth: { signUp: false },
  });
  createAuth({
    ...base,
    // @ts-expect-error misspelt oauth option
    oauth: { providers: [], storeToken: true },
  });
  // baseURL may be left out: it is read from AUTH_URL (or BASE_URL) at startup.
  createAuth({ storage: memoryStorage() });
  // @ts-expect-error storage is required
  createAuth({ baseURL: "https://app.example.com" });
  createAuth({
    ...base,
    // @ts-expect-error durations are numbers of seconds, not strings
    session: { maxAge: "30d" },
  });
}

// `createAuth` takes exactly `AuthOptions`, and `AuthConfig` is the same interface.
export type CreateAuthTakesAuthOptions = Assert<
  Equals<Parameters<typeof createAuth>[0], AuthOptions>
>;
export type AuthConfigIsAuthOptions = Assert<Equals<AuthConfig, AuthOptions>>;

// Plain interfaces, not zod types: a nested option is a plain object type a literal satisfies,
// and no zod brand or internals leak into what editors show.
export const session: NonNullable<AuthOptions["session"]> = { maxAge: 60, freshAge: 30 };
export const noSessionCache: NonNullable<AuthOptions["session"]> = { cache: false };
export type NoZodInternals = Assert<
  Equals<Extract<keyof NonNullable<AuthOptions["session"]>, "_zod" | "_output" | "_input">, never>
>;
export type SessionKeys = Assert<
  Equals<
    keyof NonNullable<AuthOptions["session"]>,
    | "cookieName"
    | "cookieDomain"
    | "maxAge"
    | "updateAge"
    | "absoluteLifetime"
    | "freshAge"
    | "cache"
  >
>;

// ConfigError tells code which option is wrong.
export function describe(error: unknown): string | null {
  if (!(error instanceof ConfigError)) return null;
  const first: string = error.option;
  const all: readonly ConfigIssue[] = error.issues;
  return `${first}: ${all.map((issue) => issue.message).join(", ")}`;
}
