import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { expect, it } from "vitest";

/*
 * portcullis/verify must stay small and edge-safe: it may pull in jose, its own files and the
 * error type, and nothing else from the library (no zod, no storage, no @noble/hashes).
 */
it("portcullis/verify bundles only jose, src/verify and the two error modules, under 12 KB gzipped", async () => {
  const result = await build({
    entryPoints: ["src/verify/index.ts"],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  const ours = inputs.filter((path) => !path.includes("node_modules/jose/"));
  for (const path of ours)
    expect(path).toMatch(/^src\/(verify\/[a-z-]+\.ts|errors\.ts|config-error\.ts)$/);
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  expect(gzipSync(output).length).toBeLessThan(12 * 1024);
});
