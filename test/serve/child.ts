/**
 * `portcullis serve` as its own process, as a deployment runs it: the CLI's source through tsx
 * (no build needed), configured by environment variables only, reached over HTTP on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { SERVE_VARIABLES } from "../../adapters/cli/serve-env.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = "adapters/cli/index.ts";

export const SECRET = "serve-test-secret-that-is-at-least-32-bytes";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The child's environment: this process's, without any variable `serve` reads (a developer's
 * DATABASE_URL must not leak in), plus `env`.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(SERVE_VARIABLES)) delete base[name];
  delete base.AUTH_URL;
  return { ...base, ...env };
}

function spawnServe(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "serve"], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

/** Runs `serve` expecting it to refuse to start: its exit code and everything it printed. */
export async function serveFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServe(env);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exitOf(child);
  clearTimeout(timer);
  return { code, output: output() };
}

export interface Served {
  port: number;
  /** Where the test sends requests: 127.0.0.1, never a name that might resolve to ::1 first. */
  url: string;
  /** BASE_URL: the service's configured origin, which its CSRF check trusts. */
  origin: string;
  child: ChildProcess;
  output(): string;
  /** Resolves once `text` appears in the output. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` (SIGTERM by default); resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `serve` on a free port and resolves once /liveness answers 200. */
export async function startServe(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const origin = env.BASE_URL ?? `http://localhost:${port}`;
  const { child, output } = spawnServe({ PORT: String(port), BASE_URL: origin, ...env });
  const url = `http://127.0.0.1:${port}`;
  const exited = exitOf(child);
  const served: Served = {
    port,
    url,
    origin,
    child,
    output,
    exited,
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output().includes(text)) {
        if (Date.now() > deadline) throw new Error(`"${text}" never printed:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + 25_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`serve exited with ${child.exitCode}:\n${output()}`);
    const live = await fetch(`${url}/liveness`).catch(() => null);
    if (live?.status === 200) return served;
    if (Date.now() > deadline) {
      await served.stop("SIGKILL");
      throw new Error(`serve did not answer /liveness:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A tiny browser on the service's origin: keeps the session cookie, sends Origin on writes. */
export function browser(served: Served) {
  let cookie = "";
  return {
    get cookie() {
      return cookie;
    },
    async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const all: Record<string, string> = { ...headers };
      if (cookie) all.cookie = cookie;
      if (method !== "GET" && all.origin === undefined) all.origin = served.origin;
      if (body !== undefined) all["content-type"] = "application/json";
      const response = await fetch(`${served.url}${path}`, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
      });
      for (const setCookie of response.headers.getSetCookie()) {
        const pair = setCookie.split(";")[0] as string;
        cookie = /Max-Age=0/i.test(setCookie) ? "" : pair;
      }
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: () => JSON.parse(text) as Record<string, any>,
      };
    },
  };
}
