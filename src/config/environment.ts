/** `NODE_ENV=production`, read without assuming Node (`process` may not exist on edge runtimes). */
export function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.NODE_ENV === "production";
}
