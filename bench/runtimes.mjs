// Password hashing on each runtime: the built package's hashers, timed on Node, Bun, Deno and
// workerd (miniflare, no nodejs_compat), one table. What a sign-up or a password sign-in costs
// in CPU on each, and what Cloudflare's PBKDF2 cap leaves (README "Runtimes").
//
//   npm run build && node bench/runtimes.mjs        (or: npm run bench -- runtimes)
//
// Each runtime runs an esbuild bundle of dist/index.js, like an app's bundle. Times are the
// median of BENCH_SAMPLES hashes (default 3) after one warm-up. Inside workerd the clock only
// moves on I/O, so there each hash is one request timed from outside (a few ms of overhead).
// A runtime that cannot start here is listed as skipped. Takes well under a minute.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DIST = process.env.PORTCULLIS_DIST ?? join(ROOT, "dist");
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 3);
const MARKER = "PORTCULLIS_BENCH ";

/** label, and the expression that makes the hasher (evaluated inside each runtime). */
const HASHERS = [
  ["pbkdf2() (600,000, the default)", "pbkdf2()"],
  ["pbkdf2 100,000 (Workers' cap)", "pbkdf2({ iterations: 100_000, dangerouslyWeak: true })"],
  ["argon2id() (m=19456 KiB, t=2, @noble)", "argon2id()"],
];

// The program every runtime runs: `hashOnce(i)` hashes once with hasher i; `main()` times them.
const PROGRAM = `
import { argon2id, pbkdf2 } from ${JSON.stringify(join(DIST, "index.js"))};
const makers = [${HASHERS.map(([, expression]) => `() => ${expression}`).join(", ")}];
const hashers = [];
function hasher(i) {
  hashers[i] ??= makers[i]();
  return hashers[i];
}
export async function hashOnce(i) {
  try {
    await hasher(i).hash("correct horse battery staple");
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error.name + ": " + error.message };
  }
}
export async function main(samples) {
  const rows = [];
  for (let i = 0; i < makers.length; i++) {
    const warm = await hashOnce(i);
    if (!warm.ok) { rows.push({ refused: warm.reason }); continue; }
    const times = [];
    for (let n = 0; n < samples; n++) {
      const start = performance.now();
      await hashOnce(i);
      times.push(performance.now() - start);
    }
    rows.push({ times });
  }
  return rows;
}
`;

const PROCESS_ENTRY = `
import { main } from "./program.mjs";
console.log(${JSON.stringify(MARKER)} + JSON.stringify(await main(${SAMPLES})));
`;

const WORKER_ENTRY = `
import { hashOnce } from "./program.mjs";
export default {
  async fetch(request) {
    const i = Number(new URL(request.url).searchParams.get("hasher"));
    return Response.json(await hashOnce(i));
  },
};
`;

if (!existsSync(join(DIST, "index.js"))) {
  console.error(`No build at ${DIST}: run \`npm run build\` first.`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-runtimes-"));
try {
  writeFileSync(join(dir, "program.mjs"), PROGRAM);
  writeFileSync(join(dir, "process.mjs"), PROCESS_ENTRY);
  writeFileSync(join(dir, "worker.mjs"), WORKER_ENTRY);
  const columns = [];
  columns.push([`Node ${process.versions.node}`, await inProcess("node", process.execPath, [])]);
  columns.push(await binaryColumn("bun", ["run"], ["bun", "worker", "browser"]));
  columns.push(
    await binaryColumn(
      "deno",
      ["run", "--no-prompt", "--no-config"],
      ["deno", "worker", "browser"],
    ),
  );
  columns.push(await workerdColumn());
  printTable(columns);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Bundles process.mjs for a runtime into one file; returns its path. */
async function bundle(entry, name, conditions) {
  const outfile = join(dir, `${name}.bundle.mjs`);
  await build({
    entryPoints: [join(dir, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions,
    outfile,
    logLevel: "error",
    absWorkingDir: ROOT,
  });
  return outfile;
}

async function inProcess(name, command, args, conditions = ["node", "import"]) {
  const file = await bundle("process.mjs", name, conditions);
  const run = spawnSync(command, [...args, file], { cwd: dir, encoding: "utf8", timeout: 180_000 });
  const line = run.stdout?.split("\n").find((text) => text.startsWith(MARKER));
  if (!line)
    return { skipped: `${name} failed: ${(run.stderr || run.error?.message || "").trim()}` };
  return { rows: JSON.parse(line.slice(MARKER.length)) };
}

/** node_modules/.bin, else the platform package's binary (npm may have skipped a postinstall). */
function findBinary(name) {
  const scope = join(ROOT, "node_modules", name === "bun" ? "@oven" : "@deno");
  const platform = existsSync(scope)
    ? readdirSync(scope).map((dir) => join(scope, dir, name === "bun" ? "bin/bun" : "deno"))
    : [];
  for (const binary of [join(ROOT, "node_modules", ".bin", name), ...platform]) {
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" });
    if (version.status === 0) return { binary, version: version.stdout };
  }
  return null;
}

async function binaryColumn(name, args, conditions) {
  const found = findBinary(name);
  if (!found) return [name, { skipped: `no ${name} binary (npm ci installs it)` }];
  const { binary, version } = found;
  const label = version
    .trim()
    .split("\n")[0]
    .replace(/^deno (\S+).*$/, "Deno $1");
  const title = name === "bun" ? `Bun ${label}` : label;
  return [title, await inProcess(name, binary, args, conditions)];
}

async function workerdColumn() {
  let Miniflare;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch (error) {
    return ["workerd", { skipped: `miniflare cannot load: ${error.message}` }];
  }
  const file = await bundle("worker.mjs", "workerd", ["workerd", "worker", "browser"]);
  const miniflare = new Miniflare({
    modulesRoot: dir,
    modules: [{ type: "ESModule", path: file, contents: readFileSync(file, "utf8") }],
    compatibilityDate: "2025-09-01",
  });
  try {
    const hashOnce = async (i) =>
      (await miniflare.dispatchFetch(`http://localhost/?hasher=${i}`)).json();
    const rows = [];
    for (let i = 0; i < HASHERS.length; i++) {
      const warm = await hashOnce(i);
      if (!warm.ok) {
        rows.push({ refused: warm.reason });
        continue;
      }
      const times = [];
      for (let n = 0; n < SAMPLES; n++) {
        const start = performance.now();
        await hashOnce(i);
        times.push(performance.now() - start);
      }
      rows.push({ times });
    }
    return ["workerd (miniflare)", { rows }];
  } finally {
    await miniflare.dispose();
  }
}

function printTable(columns) {
  const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const cell = (column, i) => {
    if (column.skipped) return "skipped";
    const row = column.rows[i];
    if (row.refused) return row.refused.includes("ConfigError") ? "ConfigError (capped)" : "error";
    return `${median(row.times).toFixed(0)} ms`;
  };
  console.log(`\none password hash, median of ${SAMPLES}, per runtime\n`);
  const header = ["hasher", ...columns.map(([title]) => title)];
  const lines = HASHERS.map(([label], i) => [
    label,
    ...columns.map(([, column]) => cell(column, i)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells) =>
    cells
      .map((text, i) => text.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(format(line));
  for (const [title, column] of columns) {
    if (column.skipped) console.log(`\n${title}: ${column.skipped}`);
    for (const row of column.rows ?? []) if (row.refused) console.log(`\n${title}: ${row.refused}`);
  }
}
