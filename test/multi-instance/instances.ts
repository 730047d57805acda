import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MailMessage } from "../../src/index.js";
import { APP_ORIGIN } from "./app.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

export interface Instance {
  port: number;
  process: ChildProcess;
  /** Sends a request to this instance as a browser on the app's origin would. */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; cookie?: string; bearer?: string; json?: boolean },
  ): Promise<Response>;
}

/** Every mail any instance sent, in order. */
export const mailbox: MailMessage[] = [];

export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = fork(SERVER, [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.on("message", (message: { type: string; port?: number; message?: MailMessage }) => {
      if (message.type === "ready") resolve(message.port as number);
      if (message.type === "mail") mailbox.push(message.message as MailMessage);
    });
    child.once("exit", (code) => reject(new Error(`instance exited early with ${code}`)));
  });
  return {
    port,
    process: child,
    request(method, path, init = {}) {
      const headers: Record<string, string> = {};
      if (method !== "GET") headers.origin = APP_ORIGIN;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      if (init.cookie) headers.cookie = init.cookie;
      if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
      if (init.json) headers.accept = "application/json";
      return fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        redirect: "manual",
      });
    },
  };
}

export function stopInstance(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    if (instance.process.exitCode !== null) return resolve();
    instance.process.once("exit", () => resolve());
    instance.process.disconnect();
    setTimeout(() => instance.process.kill(), 3000).unref();
  });
}

export function cookieOf(response: Response): string {
  const header = response.headers.get("set-cookie");
  if (!header) throw new Error(`no Set-Cookie (status ${response.status})`);
  return header.split(";")[0] as string;
}
