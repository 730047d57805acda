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
 * Second-factor attempts per account: 10 per 15 minutes, plenty for a person mistyping, and with
 * 3 valid codes in a million (±1 step) about a thousand guesses a day at most before the account
 * lockout (which every wrong code feeds, up to its 100 consecutive failures) stops them sooner.
 */
const mfaPerAccount = () => ({ max: 10, window: 15 * 60 });

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
  /**
   * Second-factor guesses (TOTP and recovery codes: completing a sign-in, step-up, turning MFA
   * off, new recovery codes) and MFA set-up. Per account (the user id, hashed) as well as per
   * IP, whatever the route: every wrong code also counts toward the account's failure lockout.
   */
  mfa: { perIP, perAccount: mfaPerAccount },
  /**
   * Starting a social sign-in or a link (`GET /auth/oauth/:provider`, `POST .../link`): each
   * start stores an attempt and may fetch the provider's metadata.
   */
  "oauth-start": { perIP },
  /** A provider's callback: each one that passes the state check calls the provider. */
  "oauth-callback": { perIP },
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
