/**
 * The core's handler suite inside workerd, Cloudflare's Workers runtime, through miniflare (the
 * `miniflare` devDependency), WITHOUT `nodejs_compat`: no node:* module, no Buffer, no process.
 * The bundle is built as Wrangler builds one; createAuth runs at module scope, as apps call it.
 */
import { readFileSync } from "node:fs";
import { afterAll } from "vitest";
import { type Bundle, bundleScenario, type Probe, runtimeSuite } from "./harness.js";
import type { ScenarioReport } from "./scenario.js";

/** Any date the bundled workerd supports. No compatibility flag, nodejs_compat least of all. */
const COMPATIBILITY_DATE = "2025-09-01";

let bundle: Bundle | undefined;
let dispose: (() => Promise<void>) | undefined;
let version = "";

async function probe(): Promise<Probe> {
  try {
    const { createRequire } = await import("node:module");
    version = createRequire(import.meta.url)("miniflare/package.json").version as string;
    await import("miniflare");
    return { ok: true, version };
  } catch (error) {
    return { ok: false, reason: `miniflare cannot load: ${(error as Error).message}` };
  }
}

async function run(): Promise<ScenarioReport> {
  const { Miniflare } = await import("miniflare");
  bundle = await bundleScenario("worker", "workerd");
  // Modules listed one by one (the entry first): miniflare then skips parsing them for imports.
  const miniflare = new Miniflare({
    modulesRoot: bundle.dir,
    modules: bundle.files.map((path) => ({
      type: "ESModule" as const,
      path,
      contents: readFileSync(path, "utf8"),
    })),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: [],
  });
  dispose = () => miniflare.dispose();
  const response = await miniflare.dispatchFetch("http://localhost:3000/");
  const text = await response.text();
  if (!response.ok) throw new Error(`the worker answered ${response.status}: ${text}`);
  return JSON.parse(text) as ScenarioReport;
}

runtimeSuite("workerd (miniflare, no nodejs_compat)", probe, run, 60_000);

afterAll(async () => {
  await dispose?.();
  bundle?.remove();
  if (version) console.info(`[portcullis] workerd through miniflare ${version}`);
});
