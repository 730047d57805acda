// What the HTTP benches share: processes pinned to cores, a load generator in its own process,
// the machine they ran on, medians, and a table printer.
//
// The server under test runs on core SERVER_CORE and the load generator (autocannon, in a
// process of its own) on LOAD_CORE, with `taskset` when the machine has it and two cores or
// more: the server never shares its core with the load it serves. BENCH_SERVER_CORE and
// BENCH_LOAD_CORE override the choice.
import { execFileSync, fork } from "node:child_process";
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
  return `${cores} cores (${cpu}), Node ${process.version}, load average ${load1} at start; ${pin}`;
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
