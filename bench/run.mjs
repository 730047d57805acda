// Runs every benchmark in bench/ one after another (they share 2 cores, so never in parallel).
// Each prints its own table with ratios against a baseline measured in the same run.
// `npm run bench -- hashing` runs only the benches whose file name contains "hashing".
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const filter = process.argv[2] ?? "";
if (!existsSync(new URL("../dist/index.js", import.meta.url))) {
  console.error("bench: build first (npm run build): the benches measure the built package");
  process.exit(1);
}
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".mjs") && name !== "run.mjs" && name.includes(filter))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n### ${name}\n`);
  const result = spawnSync(process.execPath, [`${here}${name}`], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
