// What the HTTP benches share: processes pinned to cores, a load generator in its own process,
// the machine they ran on, medians, and a table printer.
//
// The server under test runs on core SERVER_CORE and the load generator (wrk from Debian where
// it is installed, else autocannon in a process of its own) on LOAD_CORE, with `taskset` when the machine has it and two cores or
// more: the server never shares its core with the load it serves. BENCH_SERVER_CORE and
// BENCH_LOAD_CORE override the choice.
import { execFile, execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));

function hasTaskset() {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const cores = availableParallelism();
const pinning = cores >= 2 && hasTaskset();
export const SERVER_CORE = Number(process.env.BENCH_SERVER_CORE ?? 0);
export const LOAD_CORE = Number(process.env.BENCH_LOAD_CORE ?? 1);

/** Pins this process (the orchestrator: idle while a measurement runs) to the load core. */
export function pinSelf() {
  if (pinning) execFileSync("taskset", ["-pc", String(LOAD_CORE), String(process.pid)]);
}

/**
 * Forks `script` with `args` on `core` (an IPC channel open, like `fork`): node's own flags
 * come from `execArgv`. `core` null: wherever the scheduler likes.
 */
export function forkOn(core, script, args = [], options = {}) {
  const child = fork(script, args, { stdio: "inherit", ...options });
  if (pinning && child.pid && core !== null) {
    // Every thread of the child, libuv's pool and V8's included.
    execFileSync("taskset", ["-apc", String(core), String(child.pid)], { stdio: "ignore" });
  }
  return child;
}

/** The first message a forked server sends (its port and credentials), or its early exit. */
export function firstMessage(child, what) {
  return new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

/**
 * Runs autocannon against `target` ({ url, headers }) in a process of its own on the load core;
 * resolves to autocannon's result.
 */
export function load(target, options) {
  const child = forkOn(LOAD_CORE, LOAD, [JSON.stringify({ ...target, ...options })], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return firstMessage(child, "the load generator").finally(() => child.kill());
}

function hasWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk prints its usage and exits 1 for --version: it is there.
    return error.status === 1;
  }
}

/** Which load generator `saturate` uses: wrk where installed (BENCH_LOAD=autocannon forces it). */
export const LOAD_GENERATOR =
  process.env.BENCH_LOAD === "autocannon" || !hasWrk() ? "autocannon" : "wrk";

/**
 * As many requests as `connections` keep-alive connections get through in `duration` seconds,
 * from the load core: wrk (C, one thread: it costs the load core far less per request than
 * autocannon, so the server's core is the one that saturates), else autocannon. Resolves to
 * `{ rate, total, p99, failed }`: requests per second, requests, p99 latency in ms, and
 * requests that were not 2xx or failed.
 */
export async function saturate(target, { duration, connections }) {
  if (LOAD_GENERATOR === "autocannon") {
    const result = await load(target, { duration, connections });
    return {
      rate: result.requests.average,
      total: result.requests.total,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
    };
  }
  const args = ["-t1", `-c${connections}`, `-d${duration}s`, "--latency"];
  for (const [name, value] of Object.entries(target.headers ?? {}))
    args.push("-H", `${name}: ${value}`);
  args.push(target.url);
  const [command, argv] = pinning
    ? ["taskset", ["-c", String(LOAD_CORE), "wrk", ...args]]
    : ["wrk", args];
  const output = await new Promise((resolve, reject) => {
    execFile(command, argv, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const number = (pattern) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  const unit = { us: 0.001, ms: 1, s: 1000 };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  return {
    rate: number(/^Requests\/sec:\s+([\d.]+)/m),
    total: number(/^\s*(\d+) requests in/m),
    p99: p99 ? Number(p99[1]) * unit[p99[2]] : Number.NaN,
    failed:
      (number(/Non-2xx or 3xx responses: (\d+)/) || 0) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

/**
 * CPU seconds (user + system) process `pid` has used so far, from /proc; null where there is
 * none. Around a measurement it gives the server's CPU per request, which is what a throughput
 * ratio stands for once the server's core is the one that saturates.
 */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (USER_HZ: 100).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Cores, CPU, Node, load average and pinning: printed with every table. `pinned` says what ran
 * where, when taskset pinned it.
 */
export function machine(
  pinned = `server on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}`,
) {
  const cpu = cpus()[0]?.model?.trim() ?? "unknown CPU";
  const load1 = loadavg()[0]?.toFixed(2);
  const pin = pinning ? `${pinned} (taskset)` : "not pinned (taskset missing or one core)";
  return `${cores} cores (${cpu}), Node ${process.version}, load average ${load1} at start; ${pin}; load generator: ${LOAD_GENERATOR}`;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Prints rows (arrays of cells) under `header`, columns padded to fit. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(format(row));
}
