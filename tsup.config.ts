import { defineConfig } from "tsup";

/**
 * One entry per public subpath. `test/package/exports.test.ts` checks that these and
 * package.json#exports agree, so add a subpath in both places.
 */
export const entries = {
  index: "src/index.ts",
  node: "adapters/node/index.ts",
  verify: "src/verify/index.ts",
  hono: "adapters/hono/index.ts",
  next: "adapters/next/index.ts",
  express: "adapters/express/index.ts",
  fastify: "adapters/fastify/index.ts",
  testing: "src/testing/index.ts",
  sqlite: "adapters/sqlite/index.ts",
  postgres: "adapters/postgres/index.ts",
  redis: "adapters/redis/index.ts",
  cli: "adapters/cli/index.ts",
  smtp: "adapters/smtp/index.ts",
  client: "adapters/client/index.ts",
  oauth: "src/oauth-providers/index.ts",
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
