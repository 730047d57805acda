import { defineConfig } from "tsup";

/**
 * One entry per public subpath. `test/package/exports.test.ts` checks that these and
 * package.json#exports agree, so add a subpath in both places.
 */
export const entries = {
  index: "src/index.ts",
} as const;

export default defineConfig({
  entry: entries,
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  splitting: true,
  treeshake: true,
  shims: true,
});
