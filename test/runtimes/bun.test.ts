/**
 * The core's handler suite on Bun (the `bun` devDependency), from an esbuild bundle of the
 * sources: one test per check of scenario.ts.
 */
import { afterAll } from "vitest";
import { type Bundle, bundleScenario, probeBinary, runReport, runtimeSuite } from "./harness.js";

const bun = probeBinary("bun");
let bundle: Bundle | undefined;

runtimeSuite(
  bun.ok ? `Bun ${bun.version}` : "Bun",
  () => bun,
  async () => {
    bundle = await bundleScenario("process", "bun");
    return runReport(bun.path, ["run", bundle.files[0] as string], {
      cwd: bundle.dir,
      timeoutMs: 45_000,
    });
  },
  60_000,
);

afterAll(() => bundle?.remove());
