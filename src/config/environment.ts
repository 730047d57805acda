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

/** `NODE_ENV=production`, read without assuming Node (`process` may not exist on edge runtimes). */
export function isProduction(): boolean {
  return readEnv("NODE_ENV") === "production";
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
