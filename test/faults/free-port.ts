import { createServer } from "node:net";

/**
 * A TCP port nothing listens on right now, chosen by the kernel. Another process could take it
 * before the caller binds it; the servers the tests start fail loudly if that ever happens.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether this machine must have what a suite needs: in CI a missing binary fails the run. */
export const inCI = () => process.env.CI === "true" || process.env.CI === "1";

/**
 * Says, once and visibly, that a suite is skipped for want of `what`; in CI throws instead, so a
 * missing binary can never turn a whole suite green by skipping it.
 */
export function skipOrFail(what: string, suite: string): false {
  if (inCI()) throw new Error(`${what} is required in CI (${suite})`);
  console.warn(`\n[portcullis] ${what} not found: ${suite} SKIPPED\n`);
  return false;
}
