type Env = Record<string, string | undefined>;

/**
 * The environment variables, read without assuming Node: `process` may not exist (edge
 * runtimes), and reading it may throw (Deno without `--allow-env`). Missing is `{}`.
 */
function environment(): Env {
  try {
    return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
  } catch {
    return {};
  }
}

/** Whether there is an environment to read at all (Workers have none, Deno may refuse it). */
function environmentReadable(): boolean {
  try {
    const env = (globalThis as { process?: { env?: Env } }).process?.env;
    if (env === undefined) return false;
    void env.NODE_ENV; // Deno without --allow-env throws here
    return true;
  } catch {
    return false;
  }
}

/** Loopback hosts: where a development server listens (`localhost`, `*.localhost`, 127/8, ::1). */
function isLoopbackURL(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return (
      host === "localhost" ||
      host.endsWith(".localhost") ||
      /^127(\.\d{1,3}){3}$/.test(host) ||
      host === "[::1]"
    );
  } catch {
    return false;
  }
}

/**
 * Production: `NODE_ENV=production` where the environment can be read. Where it cannot (Workers
 * without `nodejs_compat`, Deno without `--allow-env`), production unless `baseURL` is a loopback
 * address: a deployed worker must not get development's forgiving defaults (a random secret, mail
 * links printed to the log) because it has no `process.env`.
 */
export function isProduction(baseURL?: string): boolean {
  if (environmentReadable()) return readEnv("NODE_ENV") === "production";
  return baseURL === undefined || !isLoopbackURL(baseURL);
}

/** One environment variable, or undefined when it is unset, empty, or cannot be read. */
export function readEnv(name: string): string | undefined {
  try {
    const value = environment()[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}
