/**
 * A throwaway redis-server of the test's own, on a free port, with no persistence: a test may
 * kill it, revive it on the same port, or configure it (a password, a memory cap) without
 * touching the shared server on 6379.
 *
 *   const redis = await throwawayRedis({ args: ["--requirepass", "secret"] });
 *   await redis.kill(); await redis.start();    // same port: clients reconnect by themselves
 *   await redis.destroy();                      // in afterAll
 *
 * Servers left behind by a run that died (SIGKILL, a crashed worker) are killed by the next
 * run; a normal exit kills its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, skipOrFail } from "./free-port.js";

const PREFIX = "portcullis-redis-";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Kills the servers of runs whose process is gone, and removes their directories. */
function sweepLeftovers(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!owner || owner === process.pid || alive(owner)) continue;
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, "server.pid"), "utf8"));
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // No server was running.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const running = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const each of running) each.kill("SIGKILL");
    });
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** Whether a redis-server binary is on the PATH. */
export function hasRedisServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("redis-server", ["--version"], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });
}

/** Whether throwaway servers can be started here; otherwise a visible skip (a failure in CI). */
export async function redisServerAvailable(suite: string): Promise<boolean> {
  return (await hasRedisServer()) || skipOrFail("redis-server", suite);
}

export interface ThrowawayRedisOptions {
  /** Extra command-line settings, e.g. `["--requirepass", "secret"]`. */
  args?: string[];
  /** The password clients (and the readiness probe) use, when `args` sets one. */
  password?: string;
}

export interface ThrowawayRedis {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown. */
  kill(): Promise<void>;
  /** Kills it and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

export async function throwawayRedis(options: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
  sweepLeftovers();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  let child: ChildProcess | undefined;

  async function start() {
    const server = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        ...(options.args ?? []),
      ],
      { stdio: "ignore" },
    );
    child = server;
    track(server);
    writeFileSync(join(dir, "server.pid"), String(server.pid));
    const probe = new Redis({
      port,
      host: "127.0.0.1",
      password: options.password,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on("error", () => {});
    for (let i = 0; i < 200; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  }

  async function kill() {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGKILL");
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
