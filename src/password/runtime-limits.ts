import { ConfigError } from "../config-error.js";

/**
 * What Cloudflare Workers lets `crypto.subtle.deriveBits` do for PBKDF2: production refuses more
 * than 100,000 iterations (a `NotSupportedError` at the first hash), though local workerd
 * (wrangler dev, miniflare) computes any count. OWASP asks for 600,000 with SHA-256.
 */
export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;

/** The PBKDF2 iteration cap of the runtime this code runs on, or null when it has none we know. */
export function pbkdf2IterationCap(): number | null {
  // Workers say so synchronously, and the same in local workerd as in production.
  const agent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  return agent === "Cloudflare-Workers" ? WORKERS_PBKDF2_MAX_ITERATIONS : null;
}

/**
 * Fails at setup, not at the first sign-up, when the runtime would refuse to hash with
 * `iterations`: a `ConfigError` naming both ways out, since neither is a silent default.
 */
export function assertPbkdf2Runs(iterations: number): void {
  const cap = pbkdf2IterationCap();
  if (cap === null || iterations <= cap) return;
  throw new ConfigError({
    option: "passwordHasher",
    message:
      `passwordHasher: PBKDF2 with ${iterations} iterations cannot run on Cloudflare Workers, ` +
      `which refuse more than ${cap} (crypto.subtle, in production; local workerd does not ` +
      "check). Choose one: argon2id() (memory-hard, pure JS: more CPU time per hash), or " +
      `pbkdf2({ iterations: ${cap}, dangerouslyWeak: true }) (a sixth of OWASP's 600,000). ` +
      `Stored PBKDF2 hashes above ${cap} iterations cannot be verified there either.`,
  });
}
