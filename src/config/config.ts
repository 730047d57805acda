import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "../config-error.js";
import { type RandomSource, webCryptoRandom } from "../crypto/random.js";
import { checkPages, type EmailFeatures, resolveEmailFeatures } from "./email-features.js";
import { isProduction } from "./environment.js";
import type { AuthOptions, Clock } from "./options.js";
import { parseOrigin } from "./origin.js";
import { type ResolvedPasskeyOptions, resolvePasskeyOptions } from "./passkey-options.js";
import { configSchema, MOVED_OPTIONS, type ParsedOptions } from "./schema.js";
import { unknownOptionIssue } from "./unknown-options.js";

export { ConfigError, type ConfigIssue } from "../config-error.js";
export type { EmailFeatures } from "./email-features.js";
export { isProduction } from "./environment.js";
export type { AuthConfig, AuthOptions } from "./options.js";
export { parseOrigin } from "./origin.js";
export type { ResolvedPasskeyOptions } from "./passkey-options.js";

/** The options with every default resolved and every startup check passed: `auth.config`. */
export interface ResolvedConfig extends Omit<ParsedOptions, "secret" | "passkey"> {
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

/**
 * Validates the options and resolves every default: the one place where startup checks live.
 * Throws `ConfigError` listing every problem (`option` names the first), e.g. an unknown option,
 * a value out of range, an email feature on without a mailer in production, a page off-site,
 * or passkey origins not on the rpID.
 */
export function resolveConfig(config: AuthOptions): ResolvedConfig {
  const parsed = configSchema.safeParse(config ?? {});
  if (!parsed.success) {
    // Unknown options first: a misspelt one is often why another looks missing (`baseUrl`).
    const issues = parsed.error.issues;
    const unknownFirst = [
      ...issues.filter((issue) => issue.code === "unrecognized_keys"),
      ...issues.filter((issue) => issue.code !== "unrecognized_keys"),
    ];
    throw new ConfigError(unknownFirst.flatMap(configIssues));
  }
  const options = parsed.data;
  const issues: ConfigIssue[] = [];

  if (options.secret === undefined && isProduction()) {
    issues.push({ option: "secret", message: "secret is required in production" });
  }
  const origin = parseOrigin(options.baseURL) as string;
  const allowedOrigins = new Set([
    origin,
    ...options.trustedOrigins.map((o) => parseOrigin(o) as string),
  ]);
  const passkey = resolvePasskeyOptions(options, origin, issues);
  const deliverable = options.mailer !== undefined || !isProduction();
  const emailFeatures = resolveEmailFeatures(options, deliverable, issues);
  checkPages({ baseURL: options.baseURL, allowedOrigins }, options, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  let secret = options.secret;
  if (secret === undefined) {
    secret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    console.warn(
      "[portcullis] no secret configured: using a random one, so tokens signed with it die with this process",
    );
  }
  const secure = origin.startsWith("https:");
  const hostOnly = options.session.cookieDomain === undefined;
  return {
    ...options,
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
