/*
 * `portcullis serve` is configured from the environment only (DESIGN §6). This file is the one
 * table of its variables: each one's schema, default and description, which `portcullis help
 * serve` prints as it is. A bad variable is a `ConfigError` whose issues name the variable
 * (`option` is the variable's name, the message starts with it), every bad one at once.
 */
import * as z from "zod";
import { ConfigError, type ConfigIssue } from "../../src/config-error.js";
import { LOG_LEVELS, type LogLevel } from "../../src/util/logger.js";

type Env = Record<string, string | undefined>;

/** One variable: what it is for, its schema (input: the variable's text), and how to show it. */
interface Variable<S extends z.ZodType> {
  about: string;
  /** Shown in the help; what is used when the variable is unset or empty. */
  default?: string;
  /** Never echoed back in an error message (secrets, tokens). */
  secret?: boolean;
  schema: S;
}

const variable = <S extends z.ZodType>(
  about: string,
  schema: S,
  extra: { default?: string; secret?: boolean } = {},
): Variable<S> => ({ about, schema, ...extra });

const EXAMPLE_POSTGRES = "postgres://user:password@host:5432/db";

function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const urlOf = (schemes: readonly string[], message: string) =>
  z.string().refine((value) => hasScheme(value, schemes), { error: message });

/** A comma-separated list; blanks around and between items are dropped. */
const list = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== ""),
);

export type DatabaseTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/**
 * `sqlite:./file.db`, `sqlite:///abs/file.db` or a bare path (as `portcullis migrate --url`
 * takes it), or `postgres://` / `postgresql://`. Any other scheme is refused rather than read as
 * a file name: `mysql://x` must not quietly become a SQLite file called `mysql:`.
 */
const database = z.string().transform((value, ctx): DatabaseTarget => {
  if (/^postgres(ql)?:\/\//i.test(value)) {
    if (!hasScheme(value, ["postgres:", "postgresql:"])) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `is not a valid URL: use ${EXAMPLE_POSTGRES}`,
      });
      return z.NEVER;
    }
    return { kind: "postgres", url: value };
  }
  if (/^sqlite:/i.test(value))
    return { kind: "sqlite", path: value.replace(/^sqlite:(\/\/)?/i, "") };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  // A one-letter "scheme" is a Windows drive (C:\data\auth.db).
  if (scheme !== undefined && scheme.length > 1) {
    ctx.issues.push({
      code: "custom",
      input: value,
      message: `unsupported scheme "${scheme}:": use sqlite:./portcullis.db or ${EXAMPLE_POSTGRES}`,
    });
    return z.NEVER;
  }
  return { kind: "sqlite", path: value };
});

const boolean = z
  .string()
  .transform((value) => value.toLowerCase())
  .refine((value) => ["true", "false", "1", "0"].includes(value), {
    error: "must be true or false",
  })
  .transform((value) => value === "true" || value === "1");

const integer = (min: number, max: number) =>
  z
    .string()
    .refine((value) => /^[0-9]+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: `must be an integer ${min}-${max}`,
    })
    .transform(Number);

/** Every variable `portcullis serve` reads, in the order the help lists them. */
export const SERVE_VARIABLES = {
  PORT: variable("The TCP port to listen on", integer(1, 65535), { default: "3000" }),
  HOST: variable("The address to listen on, e.g. 127.0.0.1", z.string(), {
    default: "every interface",
  }),
  BASE_URL: variable(
    "The service's public URL (issuer of its tokens, base of mailed links, trusted for CSRF), e.g. https://auth.example.com",
    urlOf(["http:", "https:"], "must be an absolute http(s) URL, e.g. https://auth.example.com"),
    { default: "http://localhost:$PORT; required in production" },
  ),
  AUTH_SECRET: variable(
    "At least 32 bytes, e.g. from `portcullis secret`: keys MACs, the outbox encryption and the token signing key",
    z.string(),
    { default: "required in production; elsewhere a random one per process", secret: true },
  ),
  DATABASE_URL: variable(
    `sqlite:./file.db (one instance) or ${EXAMPLE_POSTGRES} (many)`,
    database,
    { default: "sqlite:./portcullis.db" },
  ),
  DATABASE_SCHEMA: variable(
    "PostgreSQL only: the schema of the tables, as given to `portcullis migrate --schema`",
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
      error: "must be a plain SQL identifier (letters, digits, _)",
    }),
    { default: "the connection's search_path" },
  ),
  DATABASE_REPLICA_URL: variable(
    "PostgreSQL only: a read replica, for reads that may lag (user lookups, session lists)",
    urlOf(["postgres:", "postgresql:"], `must be a PostgreSQL URL, e.g. ${EXAMPLE_POSTGRES}`),
  ),
  MIGRATE: variable(
    "true: apply missing migrations at start. Otherwise run `portcullis migrate` first; until then /readiness answers 503",
    boolean,
    { default: "false" },
  ),
  REDIS_URL: variable(
    "redis:// or rediss://: sessions, rate limits, single-use tokens and revocations in Redis",
    urlOf(["redis:", "rediss:"], "must be a redis:// or rediss:// URL, e.g. redis://redis:6379"),
  ),
  REDIS_PREFIX: variable("Prepended to every Redis key", z.string(), { default: "portcullis:" }),
  SMTP_URL: variable(
    "smtp:// or smtps:// (smtps://user:password@smtp.example.com): turns on mail in production",
    urlOf(["smtp:", "smtps:"], "must be an smtp:// or smtps:// URL"),
    { default: "none: mail printed to the log outside production, email features off in it" },
  ),
  EMAIL_FROM: variable(
    'The sender of mail, e.g. "Acme <no-reply@acme.example>"; required with SMTP_URL',
    z.string().refine((value) => value.includes("@"), {
      error: 'must be an address, e.g. "Acme <no-reply@acme.example>"',
    }),
  ),
  TRUSTED_ORIGINS: variable(
    "Other origins allowed to make credentialed requests (CORS, CSRF, redirects), comma-separated",
    list,
    { default: "none" },
  ),
  TRUSTED_PROXIES: variable(
    "Proxies whose X-Forwarded-For is believed: IP addresses or CIDR ranges, comma-separated",
    list,
    { default: "none: the client IP is the peer's address" },
  ),
  WEBAUTHN_RP_ID: variable(
    "The passkey relying-party ID, e.g. example.com; passkey ceremonies are accepted from BASE_URL and the trusted origins on it",
    z.string(),
    { default: "BASE_URL's host" },
  ),
  ADMIN_TOKEN: variable(
    "The Bearer token of the admin API under /auth/admin/* (32+ characters)",
    z.string(),
    {
      default: "none: no admin API",
      secret: true,
    },
  ),
  METRICS_TOKEN: variable(
    "The Bearer token a Prometheus scraper sends to /metrics (16+ characters)",
    z.string(),
    { default: "none: /metrics answers 404", secret: true },
  ),
  WEBHOOK_URL: variable(
    "Where signed webhooks (Standard Webhooks) are POSTed: an https URL; with WEBHOOK_SECRET and WEBHOOK_EVENTS",
    urlOf(["http:", "https:"], "must be an absolute https URL, e.g. https://app.example.com/hooks"),
    { default: "none: no webhooks" },
  ),
  WEBHOOK_SECRET: variable(
    "The webhook signing secret: whsec_ followed by the base64 of 24+ random bytes",
    z.string(),
    { secret: true },
  ),
  WEBHOOK_EVENTS: variable(
    "The event types sent to WEBHOOK_URL, comma-separated (e.g. user.registered,user.deleted), or * for every one",
    list,
  ),
  LOG_LEVEL: variable(
    `${LOG_LEVELS.join(", ")}`,
    z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], {
      error: `must be one of ${LOG_LEVELS.join(", ")}`,
    }),
    { default: "info" },
  ),
  LOG_FORMAT: variable(
    "json (one JSON line per record, on stderr) or pretty",
    z.enum(["json", "pretty"], { error: "must be json or pretty" }),
    { default: "json in production, pretty otherwise" },
  ),
  SHUTDOWN_TIMEOUT: variable(
    "Seconds that in-flight requests get to finish after SIGTERM or SIGINT",
    integer(1, 3600),
    { default: "10" },
  ),
  NODE_ENV: variable(
    "production: AUTH_SECRET and BASE_URL required, JSON logs, no mail without SMTP_URL",
    z.string(),
    { default: "development" },
  ),
};

export type ServeVariable = keyof typeof SERVE_VARIABLES;

/** The help's table: one row per variable, its default in brackets. */
export function serveVariableRows(): Array<[string, string]> {
  return Object.entries(SERVE_VARIABLES).map(([name, entry]: [string, Variable<z.ZodType>]) => [
    name,
    entry.default === undefined ? entry.about : `${entry.about} [default: ${entry.default}]`,
  ]);
}

/** What `portcullis serve` runs with, every default resolved. */
export interface ServeEnv {
  production: boolean;
  port: number;
  /** Undefined: every interface. */
  host: string | undefined;
  baseURL: string;
  secret: string | undefined;
  database:
    | { kind: "sqlite"; path: string }
    | { kind: "postgres"; url: string; replicaURL: string | undefined; schema: string | undefined };
  migrate: boolean;
  redis: { url: string; prefix: string } | undefined;
  smtp: { url: string; from: string } | undefined;
  trustedOrigins: string[];
  trustedProxies: string[];
  rpID: string | undefined;
  adminToken: string | undefined;
  metricsToken: string | undefined;
  /** One webhook endpoint; several need the library embedded (the `webhooks` option). */
  webhook: { url: string; secret: string; events: string[] } | undefined;
  log: { level: LogLevel; format: "json" | "pretty" };
  shutdownTimeoutSeconds: number;
}

const envSchema = z.object(
  Object.fromEntries(
    Object.entries(SERVE_VARIABLES).map(([name, entry]) => [name, entry.schema.optional()]),
  ) as { [K in ServeVariable]: z.ZodOptional<(typeof SERVE_VARIABLES)[K]["schema"]> },
);

/** A value as it may be shown: a URL's password masked, nothing at all of a secret. */
function shown(name: ServeVariable, value: string): string {
  if ((SERVE_VARIABLES[name] as Variable<z.ZodType>).secret) return "";
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return ` (got ${JSON.stringify(value)})`;
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return ` (got ${JSON.stringify(url.href)})`;
  } catch {
    // An unparsable URL may still hold a password: not echoed.
    return "";
  }
}

const issue = (name: ServeVariable, message: string): ConfigIssue => ({
  option: name,
  message: `${name}: ${message}`,
});

/**
 * Reads and checks every variable. Unset and empty are alike (`PORT=` is the default port).
 * Throws a `ConfigError` listing every bad variable; what createAuth checks itself (the
 * secret's length, origins, proxies, tokens) is left to it (see `fromAuthConfigError`).
 */
export function parseServeEnv(env: Env): ServeEnv {
  const input: Env = {};
  for (const name of Object.keys(SERVE_VARIABLES)) {
    const value = env[name];
    if (value !== undefined && value !== "") input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((problem) => {
        const name = String(problem.path[0]) as ServeVariable;
        return issue(name, `${problem.message}${shown(name, input[name] ?? "")}`);
      }),
    );
  }
  const vars = parsed.data;
  const production = vars.NODE_ENV === "production";
  const port = vars.PORT ?? 3000;
  const issues: ConfigIssue[] = [];
  if (production && vars.AUTH_SECRET === undefined) {
    issues.push(
      issue(
        "AUTH_SECRET",
        "required when NODE_ENV=production: at least 32 random bytes, e.g. from `npx portcullis secret`",
      ),
    );
  }
  if (production && vars.BASE_URL === undefined) {
    issues.push(
      issue(
        "BASE_URL",
        "required when NODE_ENV=production: the service's public URL, e.g. https://auth.example.com",
      ),
    );
  }
  const target = vars.DATABASE_URL ?? { kind: "sqlite", path: "./portcullis.db" };
  for (const name of ["DATABASE_SCHEMA", "DATABASE_REPLICA_URL"] as const) {
    if (vars[name] !== undefined && target.kind !== "postgres") {
      issues.push(issue(name, "is for PostgreSQL only: DATABASE_URL is not a postgres:// URL"));
    }
  }
  if (vars.SMTP_URL !== undefined && vars.EMAIL_FROM === undefined) {
    issues.push(
      issue(
        "EMAIL_FROM",
        'required with SMTP_URL: the sender, e.g. "Acme <no-reply@acme.example>"',
      ),
    );
  }
  const webhookVariables = ["WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_EVENTS"] as const;
  if (webhookVariables.some((name) => vars[name] !== undefined)) {
    for (const name of webhookVariables) {
      if (vars[name] === undefined) {
        const given = webhookVariables.filter((other) => vars[other] !== undefined).join(", ");
        issues.push(
          issue(name, `required with ${given}: a webhook needs its URL, secret and events`),
        );
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    production,
    port,
    host: vars.HOST,
    baseURL: vars.BASE_URL ?? `http://localhost:${port}`,
    secret: vars.AUTH_SECRET,
    database:
      target.kind === "postgres"
        ? {
            kind: "postgres",
            url: target.url,
            replicaURL: vars.DATABASE_REPLICA_URL,
            schema: vars.DATABASE_SCHEMA,
          }
        : target,
    migrate: vars.MIGRATE ?? false,
    redis:
      vars.REDIS_URL === undefined
        ? undefined
        : { url: vars.REDIS_URL, prefix: vars.REDIS_PREFIX ?? "portcullis:" },
    smtp:
      vars.SMTP_URL === undefined
        ? undefined
        : { url: vars.SMTP_URL, from: vars.EMAIL_FROM as string },
    trustedOrigins: vars.TRUSTED_ORIGINS ?? [],
    trustedProxies: vars.TRUSTED_PROXIES ?? [],
    rpID: vars.WEBAUTHN_RP_ID,
    adminToken: vars.ADMIN_TOKEN,
    metricsToken: vars.METRICS_TOKEN,
    webhook:
      vars.WEBHOOK_URL === undefined
        ? undefined
        : {
            url: vars.WEBHOOK_URL,
            secret: vars.WEBHOOK_SECRET as string,
            events: vars.WEBHOOK_EVENTS as string[],
          },
    log: {
      level: vars.LOG_LEVEL ?? "info",
      format: vars.LOG_FORMAT ?? (production ? "json" : "pretty"),
    },
    shutdownTimeoutSeconds: vars.SHUTDOWN_TIMEOUT ?? 10,
  };
}

/** The createAuth options `portcullis serve` sets from a variable, by dotted-path prefix. */
const OPTION_VARIABLES: ReadonlyArray<readonly [option: string, variable: ServeVariable]> = [
  ["baseURL", "BASE_URL"],
  ["secret", "AUTH_SECRET"],
  ["storage", "DATABASE_URL"],
  ["trustedOrigins", "TRUSTED_ORIGINS"],
  ["trustedProxies", "TRUSTED_PROXIES"],
  ["passkey.rpID", "WEBAUTHN_RP_ID"],
  ["passkey.origins", "WEBAUTHN_RP_ID"],
  ["mailer", "SMTP_URL"],
  ["metrics", "METRICS_TOKEN"],
  ["admin", "ADMIN_TOKEN"],
  ["webhooks.0.url", "WEBHOOK_URL"],
  ["webhooks.0.secret", "WEBHOOK_SECRET"],
  ["webhooks.0.events", "WEBHOOK_EVENTS"],
  ["webhooks", "WEBHOOK_URL"],
];

function variableOf(option: string): ServeVariable | undefined {
  return OPTION_VARIABLES.find(
    ([prefix]) => option === prefix || option.startsWith(`${prefix}.`),
  )?.[1];
}

/**
 * createAuth's `ConfigError` with each issue renamed after the variable it came from:
 * `metrics.token must be at least 16 characters` becomes `METRICS_TOKEN: must be at least 16
 * characters`, `trustedOrigins.1: "x" is not an http(s) origin` becomes `TRUSTED_ORIGINS: "x"
 * is not an http(s) origin`. Issues about options no variable sets stay as they are.
 */
export function fromAuthConfigError(error: ConfigError): ConfigError {
  return new ConfigError(
    error.issues.map((problem) => {
      const name = variableOf(problem.option);
      if (name === undefined) return problem;
      let message = problem.message;
      if (message.startsWith(problem.option)) {
        message = message.slice(problem.option.length).replace(/^:?\s*/, "");
      }
      return issue(name, message);
    }),
    { cause: error },
  );
}
