/**
 * The core's handler suite on Deno (the `deno` devDependency), from an esbuild bundle of the
 * sources, with no permission at all: the core needs no file, network or environment access
 * (it reads NODE_ENV where it may, and takes a refusal as unset).
 */
import { afterAll } from "vitest";
import { type Bundle, bundleScenario, probeBinary, runReport, runtimeSuite } from "./harness.js";

const deno = probeBinary("deno");
let bundle: Bundle | undefined;

runtimeSuite(
  deno.ok ? deno.version.replace(/^deno (\S+).*$/, "Deno $1") : "Deno",
  () => deno,
  async () => {
    bundle = await bundleScenario("process", "deno");
    const args = ["run", "--no-prompt", "--no-config", "--no-lock", bundle.files[0] as string];
    return runReport(deno.path, args, { cwd: bundle.dir, timeoutMs: 45_000 });
  },
  60_000,
);

afterAll(() => bundle?.remove());
