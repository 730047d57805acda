import type { ResolvedConfig } from "../config/config.js";

/** A fixed window: at most `max` hits per `window` seconds. */
export interface RateLimit {
  max: number;
  window: number;
}

/**
 * How one action is limited. `perIP`: counted per client address (`limitPerIP`; IPv6 clients
 * per `ipv6Prefix` network). `perAccount`: counted per account identifier, an email, hashed in
 * the key (`limitPerAccount`). Each names the options its limits come from.
 */
export interface RateLimitPolicy {
  perIP?: (config: ResolvedConfig) => RateLimit & { ipv6Prefix: number };
  perAccount?: (config: ResolvedConfig) => RateLimit;
}

/** `rateLimit.perIP`: every credential endpoint, per client address. */
const perIP = (config: ResolvedConfig) => config.rateLimit.perIP;
/** `mailRateLimit`: mail sent to one address, each kind counted apart. */
const mailPerAddress = (config: ResolvedConfig) => config.mailRateLimit;

/**
 * Every rate-limited action, and how it is limited: the closed set of names `limitPerIP` and
 * `limitPerAccount` accept. An action's name is part of its storage key (`ip:<action>:<client>`,
 * `account:<action>:<hash>`), so renaming one resets its counters; two flows that share a name
 * share a limit (`login`: the password form and the token endpoint's password grant; `register`:
 * password and passkey sign-up). The limits are applied in the flows, so `auth.api` calls are
 * limited like HTTP requests; the route table (src/http) names the actions each credential
 * endpoint counts under. Failed password sign-ins are limited apart, per account and without a
 * name (`recordLoginFailure`), as are login-code guesses (flows/login-code.ts).
 */
export const RATE_LIMIT_POLICIES = {
  register: { perIP },
  login: { perIP },
  "login-code": { perIP },
  "magic-link": { perIP, perAccount: mailPerAddress },
  "password-change": { perIP },
  "password-forgot": { perIP, perAccount: mailPerAddress },
  "password-reset": { perIP },
  "email-change": { perIP, perAccount: mailPerAddress },
  "email-verification": { perIP, perAccount: mailPerAddress },
  "passkey-register": { perIP },
  "passkey-login": { perIP },
  "token-refresh": { perIP },
  "token-revoke": { perIP },
  /** `DELETE /auth/account`: its `currentPassword` is a password guess like a login's. */
  "account-delete": { perIP },
} as const satisfies Record<string, RateLimitPolicy>;

type Policies = typeof RATE_LIMIT_POLICIES;

/** The name of a rate-limited action. */
export type RateLimitAction = keyof Policies;

/** The actions limited per client IP. */
export type PerIPAction = {
  [A in RateLimitAction]: Policies[A] extends { perIP: unknown } ? A : never;
}[RateLimitAction];

/** The actions limited per account identifier. */
export type PerAccountAction = {
  [A in RateLimitAction]: Policies[A] extends { perAccount: unknown } ? A : never;
}[RateLimitAction];
