/**
 * Size budgets for the edge, measured the way a worker is built: esbuild from the sources,
 * minified, ESM with code splitting (so a dynamic `import()` stays a chunk of its own, loaded
 * only when it runs), Wrangler's resolve conditions, gzip. Every number is printed.
 *
 * - `portcullis/verify` stays within 3 kB of what jose's own `jwtVerify` + `createRemoteJWKSet`
 *   weigh, both measured in this run (so a jose update moves both sides).
 * - A worker that only guards routes (`createAuth` + `authenticate`) loads at most
 *   GUARD_WORKER_BUDGET gzipped at cold start (its entry chunk and what that imports
 *   statically), and the heavy parts that only some routes need are never in it.
 */
import { gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const KB = 1024;

/**
 * The guard-only worker's eager code, gzipped (the sum of its chunks, each compressed alone).
 * Measured at 105 KiB with WebAuthn and OAuth loaded lazily and zod imported as a namespace
 * (`import * as z from "zod"`, which lets a bundler drop zod's other locales and its JSON
 * Schema code: `import { z }` kept 60 KiB of them); 259 KiB before either.
 */
const GUARD_WORKER_BUDGET = 120 * KB;
/** Everything the worker uploads, lazy chunks included (432 KiB); Workers' free plan takes 3 MB. */
const GUARD_WORKER_TOTAL_BUDGET = 480 * KB;

/** Needed by some routes only: each must be loaded by `import()` where it is used. */
const LAZY_PACKAGES = [
  "@zxcvbn-ts/language-common", // the common-password list (password policy)
  "@simplewebauthn/server", // passkey ceremonies
  "oauth4webapi", // social sign-in
  "bcryptjs", // verifying imported bcrypt hashes
] as const;

const ENTRIES: Record<string, string> = {
  "verify.ts": `export * from "./src/verify/index.ts";`,
  "jose-verify.ts": `export { createRemoteJWKSet, jwtVerify } from "jose";`,
  "guard-worker.ts": `
    import { createAuth, memoryStorage } from "./src/index.ts";
    const auth = createAuth({
      baseURL: "https://app.example.com",
      secret: "size-budget-secret-at-least-32-bytes-long",
      storage: memoryStorage(),
    });
    export default {
      async fetch(request) {
        const signedIn = await auth.authenticate(request.headers);
        return signedIn ? Response.json({ user: signedIn.user.id }) : new Response(null, { status: 401 });
      },
    };`,
};

/** Serves ENTRIES as files at the repository root, so their imports resolve as written. */
const entries: Plugin = {
  name: "size-budget-entries",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^entry:/ }, (args) => ({
      path: args.path.slice("entry:".length),
      namespace: "entry",
    }));
    esbuild.onLoad({ filter: /.*/, namespace: "entry" }, (args) => ({
      contents: ENTRIES[args.path] ?? "",
      loader: "ts",
      resolveDir: ROOT,
    }));
  },
};

interface Measured {
  /** gzip bytes of the chunks loaded at start: the entry and its static imports, transitively. */
  eager: number;
  /** gzip bytes of every chunk. */
  total: number;
  /** The input files (repository-relative) in the eager chunks. */
  eagerInputs: string[];
  /** The input files in chunks reached only through `import()`. */
  lazyInputs: string[];
  /** The static import chain from the entry to an input, for a readable failure. */
  chainTo(input: string): string[];
}

async function measure(entry: string): Promise<Measured> {
  const result = await build({
    entryPoints: [`entry:${entry}`],
    bundle: true,
    minify: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    outdir: "/size-budget-out",
    write: false,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: ROOT,
    plugins: [entries],
  });
  const outputs = result.metafile.outputs;
  const gzipped = new Map(
    result.outputFiles.map((file) => [file.path, gzipSync(file.contents, { level: 9 }).length]),
  );
  const sizeOf = (output: string) =>
    gzipped.get(`/size-budget-out/${output.split("/").pop()}`) ?? 0;
  const entryOutput = Object.keys(outputs).find((path) => outputs[path]?.entryPoint);
  if (!entryOutput) throw new Error(`no entry chunk for ${entry}`);
  const eager = staticClosure(outputs, entryOutput);
  const inputsOf = (paths: Iterable<string>) =>
    [...paths].flatMap((path) => Object.keys(outputs[path]?.inputs ?? {}));
  const all = Object.keys(outputs).filter((path) => path.endsWith(".js"));
  return {
    eager: [...eager].reduce((sum, path) => sum + sizeOf(path), 0),
    total: all.reduce((sum, path) => sum + sizeOf(path), 0),
    eagerInputs: inputsOf(eager),
    lazyInputs: inputsOf(all.filter((path) => !eager.has(path))),
    chainTo: (input) => staticChain(result.metafile.inputs, input),
  };
}

/** The first static import chain (breadth first) from an entry module to `target`. */
function staticChain(inputs: Metafile["inputs"], target: string): string[] {
  const previous = new Map<string, string | null>();
  const queue = Object.keys(inputs).filter((path) => path.startsWith("entry:"));
  for (const path of queue) previous.set(path, null);
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (path === target) break;
    for (const imported of inputs[path]?.imports ?? []) {
      if (imported.kind !== "import-statement" || previous.has(imported.path)) continue;
      previous.set(imported.path, path);
      queue.push(imported.path);
    }
  }
  const chain: string[] = [];
  for (let at: string | null | undefined = target; at; at = previous.get(at)) chain.unshift(at);
  return chain;
}

/** The chunks a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(outputs: Metafile["outputs"], start: string): Set<string> {
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
    }
  }
  return seen;
}

const fromPackage = (name: string) => (input: string) => input.includes(`node_modules/${name}/`);
const kB = (bytes: number) => `${(bytes / KB).toFixed(1)} KiB`;

describe("portcullis/verify", () => {
  it("weighs at most jose's jwtVerify + createRemoteJWKSet + 3 kB (minified, gzipped)", async () => {
    const [ours, jose] = await Promise.all([measure("verify.ts"), measure("jose-verify.ts")]);
    console.info(
      `[size] portcullis/verify ${kB(ours.total)} gzipped; jose jwtVerify + createRemoteJWKSet ` +
        `${kB(jose.total)}; difference ${kB(ours.total - jose.total)} (budget 3 KiB)`,
    );
    // On failure, what it bundles beyond the baseline: its own files and the jose modules they add.
    const extra = ours.eagerInputs.filter((input) => !jose.eagerInputs.includes(input));
    expect(ours.total, `beyond the baseline: ${extra.join(", ")}`).toBeLessThanOrEqual(
      jose.total + 3 * KB,
    );
  });
});

describe("a worker that only guards routes (createAuth + authenticate)", () => {
  let guard: Measured;

  beforeAll(async () => {
    guard = await measure("guard-worker.ts");
    const packages = LAZY_PACKAGES.map((name) => {
      const where = guard.eagerInputs.some(fromPackage(name)) ? "EAGER" : "lazy";
      return `${name}: ${where}`;
    });
    console.info(
      `[size] guard-only worker: ${kB(guard.eager)} gzipped at cold start ` +
        `(budget ${kB(GUARD_WORKER_BUDGET)}), ${kB(guard.total)} with its lazy chunks ` +
        `(budget ${kB(GUARD_WORKER_TOTAL_BUDGET)}); ${packages.join(", ")}`,
    );
  }, 60_000);

  it(`loads at most ${GUARD_WORKER_BUDGET / KB} KiB gzipped at cold start`, () => {
    expect(guard.eager).toBeLessThanOrEqual(GUARD_WORKER_BUDGET);
  });

  it(`uploads at most ${GUARD_WORKER_TOTAL_BUDGET / KB} KiB gzipped, lazy chunks included`, () => {
    expect(guard.total).toBeLessThanOrEqual(GUARD_WORKER_TOTAL_BUDGET);
  });

  for (const name of LAZY_PACKAGES) {
    it(`keeps ${name} out of the code loaded at start (a chunk of its own, imported lazily)`, () => {
      const eager = guard.eagerInputs.filter(fromPackage(name));
      const chain = eager.length > 0 ? guard.chainTo(eager[0] as string).join("\n  -> ") : "";
      expect(eager, `imported statically through:\n  ${chain}`).toEqual([]);
      // ...and the bundle does hold it, so the check above is not vacuous.
      expect(guard.lazyInputs.some(fromPackage(name))).toBe(true);
    });
  }
});
