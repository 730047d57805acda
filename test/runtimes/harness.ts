/*
 * What the runtime suites share: bundling the scenario with esbuild (from the sources, as an app's
 * bundler would take the package), finding a runtime's binary, running a bundle as a child
 * process, and the vitest shape that turns a report into one assertion per check.
 *
 * A runtime that cannot run here skips its checks, with the reason in a warning and in each
 * skipped test's note; with CI=true it fails instead: CI must prove every runtime.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPORT_MARKER } from "./report.js";
import { CHECKS, type CheckResult, type ScenarioReport } from "./scenario.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRIES = fileURLToPath(new URL("./entries/", import.meta.url));

const inCI = () => process.env.CI === "true" || process.env.CI === "1";

/**
 * How each runtime's bundler resolves packages: Wrangler's conditions for workerd, and the
 * runtime's own name first for Bun and Deno. `platform: "browser"` honours package.json#browser,
 * which is how bcryptjs keeps its optional `import "crypto"` out of a bundle for the edge.
 */
const CONDITIONS = {
  bun: ["bun", "worker", "browser"],
  deno: ["deno", "worker", "browser"],
  workerd: ["workerd", "worker", "browser"],
} as const;

export type RuntimeName = keyof typeof CONDITIONS;

export interface Bundle {
  dir: string;
  /** Absolute paths, the entry first; the rest are chunks it imports (statically or lazily). */
  files: string[];
  remove(): void;
}

/**
 * Bundles `entries/<entry>.ts` with code splitting, so the lazily imported parts (WebAuthn, the
 * common-password list) stay separate chunks and each runtime proves it can load them later.
 */
export async function bundleScenario(
  entry: "process" | "worker",
  runtime: RuntimeName,
): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), `portcullis-${runtime}-`));
  const result = await build({
    entryPoints: { main: join(ENTRIES, `${entry}.ts`) },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    conditions: [...CONDITIONS[runtime]],
    target: "es2022",
    outdir: dir,
    absWorkingDir: ROOT,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "silent",
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => join(ROOT, path));
  const main = join(dir, "main.mjs");
  return {
    dir,
    files: [main, ...outputs.filter((path) => path !== main)],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Probe = { ok: true; version: string } | { ok: false; reason: string };

/**
 * Finds a runtime installed by `npm ci` from the devDependencies and runs `<it> --version`.
 * node_modules/.bin first; then the platform package's own binary (`@oven/bun-<platform>`,
 * `@deno/<platform>`), which is what there is when npm skipped the package's postinstall (npm
 * runs only the install scripts package.json#allowScripts approves): Bun's bin is then a
 * placeholder that its postinstall would have replaced.
 */
export function probeBinary(name: "bun" | "deno"): Probe & { path: string } {
  const scope = join(ROOT, "node_modules", name === "bun" ? "@oven" : "@deno");
  const platformBinaries = existsSync(scope)
    ? readdirSync(scope)
        .filter((dir) => name === "deno" || dir.startsWith("bun-"))
        .map((dir) => join(scope, dir, name === "bun" ? "bin/bun" : "deno"))
    : [];
  const failures: string[] = [];
  for (const path of [join(ROOT, "node_modules", ".bin", name), ...platformBinaries]) {
    const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 20_000 });
    if (!run.error && run.status === 0) {
      return { ok: true, version: run.stdout.trim().split("\n")[0] ?? "", path };
    }
    failures.push(`${path}: ${run.error?.message ?? (run.stderr.trim() || `exit ${run.status}`)}`);
  }
  return { ok: false, reason: `no working ${name} binary (${failures.join("; ")})`, path: "" };
}

/** Runs a bundled program and returns the report it printed; rejects with its output otherwise. */
export function runReport(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number },
): Promise<ScenarioReport> {
  return new Promise((resolve, reject) => {
    // Vitest sets BASE_URL (Vite's base path), which the library would read as its origin.
    const { BASE_URL: _viteBase, ...inherited } = process.env;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...inherited, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((text) => text.startsWith(REPORT_MARKER));
      if (line) return resolve(JSON.parse(line.slice(REPORT_MARKER.length)) as ScenarioReport);
      reject(
        new Error(
          `${basename(command)} ${args.join(" ")} printed no report (exit ${code ?? signal}):\n` +
            `${stdout}\n${stderr}`,
        ),
      );
    });
  });
}

/**
 * The suite of one runtime: `run` once (bundle, start, scenario), then one test per check of
 * CHECKS, failing with the check's own detail. `probe` says whether the runtime can run here.
 */
export function runtimeSuite(
  title: string,
  probe: () => Probe | Promise<Probe>,
  run: () => Promise<ScenarioReport>,
  timeoutMs: number,
) {
  describe(title, () => {
    let available: Probe = { ok: false, reason: "not probed" };
    let report: ScenarioReport | null = null;
    let failure: unknown = null;

    beforeAll(async () => {
      available = await probe();
      if (!available.ok) {
        if (inCI())
          throw new Error(`${title} is required in CI but cannot run: ${available.reason}`);
        console.warn(`\n[portcullis] ${title} cannot run here (${available.reason}): SKIPPED\n`);
        return;
      }
      try {
        report = await run();
      } catch (error) {
        failure = error;
      }
    }, timeoutMs);

    afterAll(() => {
      if (!report) return;
      const notes = report.checks.filter((check) => check.ok && check.detail);
      const lines = notes.map((check) => `\n  ${check.name}: ${check.detail}`).join("");
      console.info(`[portcullis] ${title} (${report.runtime}): ${CHECKS.length} checks${lines}`);
    });

    const resultOf = (name: string, skip: (note: string) => never): CheckResult => {
      if (!available.ok) skip(`${title} unavailable: ${available.reason}`);
      if (!report) throw failure ?? new Error(`${title} produced no report`);
      const result = report.checks.find((check) => check.name === name);
      if (!result) throw new Error(`the scenario on ${title} reported no check "${name}"`);
      return result;
    };

    for (const name of CHECKS) {
      it(name, (context) => {
        const result = resultOf(name, (note) => context.skip(note));
        expect(result.ok, result.detail).toBe(true);
      });
    }

    it("reports exactly the checks of the scenario, in order", (context) => {
      resultOf(CHECKS[0], (note) => context.skip(note));
      expect(report?.checks.map((check) => check.name)).toEqual([...CHECKS]);
    });
  });
}
