/*
 * The layers of src/, lowest first. A module may import from its own layer and the layers below
 * it, never above: so no folder can depend on another that depends back on it. ARCHITECTURE.md
 * explains each layer; `npm run deps` (and .ci/run) checks these rules. Type-only imports count
 * too: a type is a dependency as much as a value is.
 */
const LAYERS = [
  // 0. Neutral: pure helpers and shared vocabulary, no state and no configuration.
  ["crypto", "util", "errors.ts", "config-error.ts", "types.ts", "validation.ts", "verify"],
  // 1. Ports and pure domain pieces: storage interfaces (and the memory store), hashers, mail
  //    messages and templates; the typed events and their bus; the metrics registry; the OAuth
  //    provider presets (data and small profile readers: the `portcullis/oauth` entry); the
  //    session and verified-token caches and the storage wrapper that invalidates them.
  ["storage", "password", "mail", "events", "metrics", "oauth-providers", "cache"],
  // 2. The options: schema, defaults, resolution, ConfigError.
  ["config"],
  // 3. Delivery through the durable outbox (needs resolved options).
  ["outbox"],
  // 4. What createAuth builds once from the options: AuthContext, key ring, relying party.
  ["context"],
  // 5. Cross-cutting services over the context.
  ["ops"],
  // 6. The second factor: TOTP, recovery codes, the pending step of a sign-in (the gate that
  //    sessions/ calls for every first factor, so it sits below them).
  ["mfa"],
  // 7. Sessions: create, validate, slide, revoke.
  ["sessions"],
  // 8. Account rules every flow shares: password check, proof of address, step-up.
  ["accounts"],
  // 9. Access and refresh tokens.
  ["tokens"],
  // 10. Who is calling: reading a credential and authenticating it (session or JWT).
  ["credentials"],
  // 11. The flows, one per file.
  ["flows"],
  // 12. Passkey ceremonies and social sign-in (OAuth / OIDC): both reuse the flows' account
  //     rules and sessions.
  ["passkeys", "oauth"],
  // 13. The Web handler and its routes.
  ["http"],
  // 14. The wiring: createAuth.
  ["index.ts"],
];

const escapeDots = (name) => name.replace(/[.]/g, "\\.");
const pathOf = (names) =>
  `^src/(${names.map((n) => (n.endsWith(".ts") ? escapeDots(n) : `${escapeDots(n)}/`)).join("|")})`;

/** For each layer, a rule forbidding imports of anything in a higher layer. */
const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `no-upward-from-${layer.join("-").replace(/\.ts/g, "")}`,
  comment: `src/${layer.join(", src/")} may not import from a layer above it (see .dependency-cruiser.cjs)`,
  severity: "error",
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-folder-cycle",
      comment: "a module cycle always means a layer rule is missing or broken",
      severity: "error",
      from: { path: "^(src|adapters)/" },
      to: { circular: true },
    },
    {
      name: "core-is-web-only",
      comment:
        "src/ runs unchanged on Node, Bun, Deno and edge runtimes: no node: modules, no framework, no driver",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/testing/" },
      to: {
        path: "^(node:|fs$|path$|crypto$|http$|https$|net$|os$|worker_threads$|child_process$)|node_modules/(express|fastify|hono|next|react|pg|ioredis|better-sqlite3|nodemailer|@node-rs)/",
      },
    },
    {
      name: "core-is-web-only-builtins",
      comment: "src/ may not use Node's built-in modules",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "testing-only-storage",
      comment: "portcullis/testing checks storage ports: it needs nothing but the ports and errors",
      severity: "error",
      from: { path: "^src/testing/" },
      to: { path: "^src/", pathNot: "^src/(testing|storage|errors\\.ts|types\\.ts)" },
    },
    {
      name: "nothing-imports-testing",
      severity: "error",
      from: { path: "^(src|adapters)/", pathNot: "^src/testing/" },
      to: { path: "^src/testing/" },
    },
    {
      name: "adapters-use-the-public-core",
      comment:
        "adapters reach the core through its entry points and the neutral and port layers (0 and 1), never a flow, a route or the context, so the core's inner folders can change freely",
      severity: "error",
      from: { path: "^adapters/" },
      to: {
        path: "^src/",
        pathNot: `(^src/(index\\.ts|testing/index\\.ts)$)|${pathOf([...LAYERS[0], ...LAYERS[1]])}`,
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|examples|dist)/" },
  },
};
