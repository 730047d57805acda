// Runs `npm run build` only when dist/ is missing a file that package.json#exports points at, or
// is older than anything it is built from (src/, adapters/, the build and TypeScript configs,
// package.json, the lockfile). `npm start` and the other start scripts call it, so starting a
// starter twice does not rebuild the library twice. `npm pack` always builds (prepack).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const inputs = [
  "src",
  "adapters",
  "tsup.config.ts",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
];

/** The newest modification time under `path` (directories count: a deleted file changes one). */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Every file package.json#exports and #bin point at inside dist/. */
function outputs() {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const files = new Set();
  const collect = (value) => {
    if (typeof value === "string") {
      if (value.startsWith("./dist/")) files.add(value);
    } else if (value && typeof value === "object") {
      for (const nested of Object.values(value)) collect(nested);
    }
  };
  collect(pkg.exports);
  collect(pkg.bin);
  return [...files];
}

function staleBecause() {
  let oldest = Number.POSITIVE_INFINITY;
  for (const file of outputs()) {
    try {
      oldest = Math.min(oldest, statSync(join(root, file)).mtimeMs);
    } catch {
      return `${file} is missing`;
    }
  }
  if (oldest === Number.POSITIVE_INFINITY) return "dist/ is missing";
  for (const input of inputs) {
    if (newest(join(root, input)) > oldest) return `${input} changed since the last build`;
  }
  return null;
}

const reason = staleBecause();
if (reason === null) {
  console.log("[build-if-stale] dist/ is up to date: not rebuilding (`npm run build` forces it)");
} else {
  console.log(`[build-if-stale] building: ${reason}`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build"], { cwd: root, stdio: "inherit", shell: false });
  process.exit(build.status ?? 1);
}
