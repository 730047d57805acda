import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "../config-error.js";
import { type RandomSource, webCryptoRandom } from "../crypto/random.js";
import { defaultLogger, LOG_LEVELS, type Logger } from "../util/logger.js";
import { checkPages, type EmailFeatures, resolveEmailFeatures } from "./email-features.js";
import { isProduction, readEnv } from "./environment.js";
import { checkOAuthStorage } from "./oauth-options.js";
import type { AuthOptions, Clock } from "./options.js";
import { parseOrigin } from "./origin.js";
import { type ResolvedPasskeyOptions, resolvePasskeyOptions } from "./passkey-options.js";
import { configSchema, MOVED_OPTIONS, type ParsedOptions } from "./schema.js";
import { checkSessionCache } from "./session-cache-options.js";
import { unknownOptionIssue } from "./unknown-options.js";

export { ConfigError, type ConfigIssue } from "../config-error.js";
export type { EmailFeatures } from "./email-features.js";
export { isProduction, readEnv } from "./environment.js";
export type { AuthConfig, AuthOptions } from "./options.js";
export { parseOrigin } from "./origin.js";
export type { ResolvedPasskeyOptions } from "./passkey-options.js";

/** The options with every default resolved and every startup check passed: `auth.config`. */
export interface ResolvedConfig
  extends Omit<ParsedOptions, "baseURL" | "secret" | "passkey" | "logger"> {
  /** The `logger` option, else the default one (JSON lines in production), at `LOG_LEVEL`. */
  logger: Logger;
  /** From the options, else `AUTH_URL`, else an absolute `BASE_URL`. */
  baseURL: string;
  /** From the options, else `AUTH_SECRET`, else (outside production) a random one. */
  secret: string;
  /** The origin of baseURL, e.g. `https://app.example.com`. */
  origin: string;
  /** baseURL's origin and every trusted origin: where credentialed browser requests may come from. */
  allowedOrigins: ReadonlySet<string>;
  secure: boolean;
  /** The session cookie's name, with `__Host-` when the cookie is Secure and host-only. */
  cookieName: string;
  clock: Clock;
  random: RandomSource;
  /** Which email features serve their routes. */
  emailFeatures: EmailFeatures;
  /** The passkey options with the relying party (rpID, rpName, origins) resolved. */
  passkey: ResolvedPasskeyOptions;
}

function describeIssue(option: string, message: string): string {
  if (message.startsWith(option) || option === "") return message;
  return `${option}: ${message}`;
}

/** One zod issue as config issues: an unrecognized-keys issue becomes one per unknown key. */
function configIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) =>
      unknownOptionIssue(configSchema, [...issue.path, key], MOVED_OPTIONS),
    );
  }
  const option = issue.path.map(String).join(".");
  return [{ option, message: describeIssue(option, issue.message) }];
}

/** The environment variables that stand in for options the caller left out. */
type EnvironmentSources = Partial<Record<"baseURL" | "secret", string>>;

/**
 * The options with `secret` and `baseURL` filled in from the environment when they are left out
 * (`undefined`): `AUTH_SECRET`; `AUTH_URL`, else `BASE_URL` when it is an absolute http(s) URL
 * (tools such as Vite set `BASE_URL` to a path, `/`, which is not an origin). Options given win.
 */
function withEnvironment(config: AuthOptions): { input: unknown; sources: EnvironmentSources } {
  const input: unknown = config ?? {};
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { input, sources: {} };
  }
  const options = input as Record<string, unknown>;
  const sources: EnvironmentSources = {};
  const filled = { ...options };
  if (options.secret === undefined) {
    const secret = readEnv("AUTH_SECRET");
    if (secret !== undefined) {
      filled.secret = secret;
      sources.secret = "AUTH_SECRET";
    }
  }
  if (options.baseURL === undefined) {
    const authURL = readEnv("AUTH_URL");
    const baseURL = readEnv("BASE_URL");
    if (authURL !== undefined) {
      filled.baseURL = authURL;
      sources.baseURL = "AUTH_URL";
    } else if (baseURL !== undefined && parseOrigin(baseURL) !== null) {
      filled.baseURL = baseURL;
      sources.baseURL = "BASE_URL";
    }
  }
  return { input: filled, sources };
}

/** Says which variable a bad `secret` or `baseURL` came from: the user never wrote it in code. */
function fromEnvironment(issue: ConfigIssue, sources: EnvironmentSources): ConfigIssue {
  const variable =
    issue.option === "secret" || issue.option === "baseURL" ? sources[issue.option] : undefined;
  return variable === undefined
    ? issue
    : { ...issue, message: `${issue.message} (from ${variable})` };
}

const BASE_URL_REQUIRED: ConfigIssue = {
  option: "baseURL",
  message:
    "baseURL is required: pass baseURL or set AUTH_URL (the origin of your app, e.g. http://localhost:3000)",
};

/**
 * Validates the options and resolves every default: the one place where startup checks live.
 * `secret` and `baseURL` left out are read from `AUTH_SECRET` and `AUTH_URL` (or `BASE_URL`).
 * Throws `ConfigError` listing every problem (`option` names the first), e.g. an unknown option,
 * a value out of range, an email feature on without a mailer in production, a page off-site,
 * or passkey origins not on the rpID.
 */
export function resolveConfig(config: AuthOptions): ResolvedConfig {
  const { input, sources } = withEnvironment(config);
  const baseURLMissing =
    typeof input === "object" &&
    input !== null &&
    (input as { baseURL?: unknown }).baseURL === undefined;
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    // Unknown options first: a misspelt one is often why another looks missing (`baseUrl`).
    const issues = parsed.error.issues;
    const unknownFirst = [
      ...issues.filter((issue) => issue.code === "unrecognized_keys").flatMap(configIssues),
      ...(baseURLMissing ? [BASE_URL_REQUIRED] : []),
      ...issues.filter((issue) => issue.code !== "unrecognized_keys").flatMap(configIssues),
    ];
    throw new ConfigError(unknownFirst.map((issue) => fromEnvironment(issue, sources)));
  }
  const options = parsed.data;
  const issues: ConfigIssue[] = [];

  if (options.baseURL === undefined) issues.push(BASE_URL_REQUIRED);
  const production = isProduction(options.baseURL);
  if (options.secret === undefined && production) {
    issues.push({
      option: "secret",
      message:
        "secret is required in production: pass secret or set AUTH_SECRET (npx portcullis secret makes one)",
    });
  }
  if (options.baseURL === undefined) throw new ConfigError(issues);
  const baseURL = options.baseURL;
  const origin = parseOrigin(baseURL) as string;
  const allowedOrigins = new Set([
    origin,
    ...options.trustedOrigins.map((o) => parseOrigin(o) as string),
  ]);
  const passkey = resolvePasskeyOptions(options, origin, issues);
  const deliverable = options.mailer !== undefined || !production;
  const emailFeatures = resolveEmailFeatures(options, deliverable, issues);
  checkPages({ baseURL, allowedOrigins }, options, issues);
  checkOAuthStorage(options, issues);
  checkSessionCache(options, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  const logger = options.logger ?? defaultLoggerFromEnvironment(production);
  let secret = options.secret;
  if (secret === undefined) {
    secret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    logger.warn(
      "no secret configured: using a random one, so tokens signed with it die with this process; pass secret or set AUTH_SECRET (npx portcullis secret makes one)",
    );
  }
  const secure = origin.startsWith("https:");
  const hostOnly = options.session.cookieDomain === undefined;
  return {
    ...options,
    logger,
    baseURL,
    secret,
    origin,
    allowedOrigins,
    secure,
    cookieName:
      secure && hostOnly ? `__Host-${options.session.cookieName}` : options.session.cookieName,
    clock: options.clock ?? { now: () => Date.now() },
    random: options.random ?? webCryptoRandom,
    emailFeatures,
    passkey,
  };
}

/** The default logger: JSON lines in production, readable ones otherwise, at `LOG_LEVEL`. */
function defaultLoggerFromEnvironment(production: boolean): Logger {
  const requested = readEnv("LOG_LEVEL")?.toLowerCase();
  const level = LOG_LEVELS.find((candidate) => candidate === requested) ?? "info";
  return defaultLogger({ format: production ? "json" : "pretty", level });
}
