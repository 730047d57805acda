import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { entries } from "../../tsup.config.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

it("every tsup entry is a subpath in package.json#exports, with types first, and back", () => {
  const fromEntries = Object.keys(entries)
    .map((name) => (name === "index" ? "." : `./${name}`))
    .sort();
  const fromExports = Object.keys(pkg.exports)
    .filter((key) => key !== "./package.json")
    .sort();
  expect(fromExports).toEqual(fromEntries);
  for (const name of Object.keys(entries)) {
    const subpath = name === "index" ? "." : `./${name}`;
    const entry = pkg.exports[subpath];
    expect(Object.keys(entry.import)[0]).toBe("types");
    expect(Object.keys(entry.require)[0]).toBe("types");
    expect(entry.import).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
    expect(entry.require).toEqual({ types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` });
  }
});
