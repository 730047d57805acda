/**
 * The README's code is compiled, so what it shows type-checks as written (`tsc --strict`): the
 * ```js, ```ts and ```tsx blocks of the sections named in SECTIONS (with their subsections) are
 * written out as files and type-checked together, importing "portcullis", "portcullis/express",
 * ... from this repository's sources (the subpaths of tsup.config.ts, through `paths`).
 *
 * Conventions the README follows for this:
 * - A block's file name is its `title`: ```ts title="lib/auth.ts"; blocks import each other as
 *   `@/lib/auth`, as a Next.js app does. Blocks without a title get a name of their own.
 * - `<!-- snippet: skip -->` on the line before a block leaves it out (for a fragment that is not
 *   meant to compile alone). The guarded-route snippets are never skipped: the test checks that
 *   every framework's section has checked blocks that call `requireAuth`.
 * - A few names the prose has already introduced are declared for every block: `auth` (the
 *   instance), `storage` and `url`. A block that declares its own shadows them.
 * - ```js blocks are checked as JavaScript (`checkJs`), as an editor checks a `server.mjs`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { entries } from "../tsup.config.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Inside the repository (and gitignored), so `express`, `next/navigation`, ... resolve. */
const OUT = join(ROOT, "test-artifacts", "readme-snippets");

/** The `## ` sections whose code blocks are checked, with every `###` under them. */
const SECTIONS = ["Quick start", "Frameworks"];
/** Subsections that must each contribute checked blocks, among them a guarded route. */
const GUARDED = ["Quick start", "Express", "Fastify", "Hono", "Next.js"];

const EXTENSIONS: Record<string, string> = { js: "mjs", ts: "ts", tsx: "tsx" };

/** Names the README's prose introduces before its snippets use them. */
const AMBIENT = `
declare const auth: import("portcullis").Auth;
declare const storage: import("portcullis").Storage;
declare const url: URL;
`;

/**
 * A snippet the checker must refuse, so a checker that checks nothing cannot pass: the README's
 * guarded-route line as it was, with `req.auth` nullable after `requireAuth`.
 */
const CONTROL = `
import express from "express";
import { requireAuth } from "portcullis/express";
const app = express();
app.get("/me", requireAuth(auth), (req, res) => res.json({ user: req.auth.user }));
`;

interface Snippet {
  /** The `##` section and, when inside one, the `###` subsection it comes from. */
  section: string;
  subsection: string | null;
  /** 1-based line of the opening fence in README.md. */
  line: number;
  file: string;
  code: string;
}

/** The checked code blocks of README.md, in order. */
function extractSnippets(markdown: string): { snippets: Snippet[]; skipped: number } {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  let section: string | null = null;
  let subsection: string | null = null;
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^(#{2,3}) (.+)$/.exec(line);
    if (heading) {
      if (heading[1] === "##") {
        section = SECTIONS.find((name) => heading[2] === name) ?? null;
        subsection = null;
      } else {
        subsection = heading[2] as string;
      }
      continue;
    }
    const fence = /^```(\w+)(.*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf("```", i + 1);
    if (end === -1) throw new Error(`README.md:${i + 1}: unclosed code block`);
    const [, lang = "", info = ""] = fence;
    const code = lines.slice(i + 1, end).join("\n");
    const previous = lines
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== "");
    const extension = EXTENSIONS[lang];
    if (section !== null && extension !== undefined) {
      if (/^<!--\s*snippet:\s*skip\b/.test(previous?.trim() ?? "")) {
        skipped += 1;
      } else {
        const title = /\btitle="([^"]+)"/.exec(info)?.[1];
        const file = title ?? `snippets/readme-${i + 1}.${extension}`;
        snippets.push({ section, subsection, line: i + 1, file, code });
      }
    }
    i = end;
  }
  return { snippets, skipped };
}

/** "portcullis" and every "portcullis/<subpath>" to its source, as the package exports them. */
function packagePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = { "@/*": [join(OUT, "*")] };
  for (const [name, source] of Object.entries(entries)) {
    paths[name === "index" ? "portcullis" : `portcullis/${name}`] = [join(ROOT, source)];
  }
  return paths;
}

/** What a strict user project would say about the files, diagnostics of OUT's files only. */
function typeCheck(files: string[]): ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: ["node"],
    typeRoots: [join(ROOT, "node_modules", "@types")],
    jsx: ts.JsxEmit.ReactJSX,
    esModuleInterop: true,
    skipLibCheck: true,
    isolatedModules: true,
    paths: packagePaths(),
  };
  const program = ts.createProgram(files, options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || d.file.fileName.startsWith(OUT));
}

function format(diagnostic: ts.Diagnostic, snippets: Snippet[]): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = diagnostic.file.fileName.slice(OUT.length + 1);
  const snippet = snippets.find((s) => s.file === file);
  const where = snippet ? `README.md:${snippet.line + 1 + line}` : `${file}:${line + 1}`;
  return `${where}: TS${diagnostic.code} ${message}`;
}

describe("README snippets", () => {
  it("extracts titled, untitled and skipped blocks from the named sections only", () => {
    const markdown = [
      "## Quick start",
      "```js",
      "one();",
      "```",
      "## Options",
      "```ts",
      "notChecked();",
      "```",
      "## Frameworks",
      "### Next.js",
      '```ts title="lib/auth.ts"',
      "export const a = 1;",
      "```",
      "<!-- snippet: skip (a fragment) -->",
      "",
      "```tsx",
      "<Fragment />",
      "```",
      "```sh",
      "npm install",
      "```",
    ].join("\n");
    const { snippets, skipped } = extractSnippets(markdown);
    expect(skipped).toBe(1);
    expect(snippets).toEqual([
      {
        section: "Quick start",
        subsection: null,
        line: 2,
        file: "snippets/readme-2.mjs",
        code: "one();",
      },
      {
        section: "Frameworks",
        subsection: "Next.js",
        line: 11,
        file: "lib/auth.ts",
        code: "export const a = 1;",
      },
    ]);
  });

  it("compile with tsc --strict, guarded routes included", async () => {
    const { snippets } = extractSnippets(await readFile(join(ROOT, "README.md"), "utf8"));

    // Every framework, and the quick start, shows a guarded route that is checked here.
    for (const name of GUARDED) {
      const own = snippets.filter((s) => (s.subsection ?? s.section).startsWith(name));
      expect(own.length, `checked blocks under "${name}"`).toBeGreaterThan(0);
      expect(
        own.some((s) => s.code.includes("requireAuth(")),
        `a guarded route under "${name}"`,
      ).toBe(true);
    }
    const files = new Set(snippets.map((s) => s.file));
    expect(files.size, "two blocks with the same title").toBe(snippets.length);

    rmSync(OUT, { recursive: true, force: true });
    const write = (file: string, code: string) => {
      const path = join(OUT, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, code);
      return path;
    };
    const paths = snippets.map((s) => write(s.file, s.code));
    const ambient = write("ambient.d.ts", AMBIENT);
    const control = write("control/nullable-caller.ts", CONTROL);

    const diagnostics = typeCheck([ambient, control, ...paths]);
    const inControl = diagnostics.filter((d) => d.file?.fileName === control);
    // TS18047: 'req.auth' is possibly 'null' (or TS18048/18049 for undefined, or both).
    expect(inControl, "the control snippet must fail").toHaveLength(1);
    expect([18047, 18048, 18049]).toContain(inControl[0]?.code);

    const problems = diagnostics.filter((d) => d.file?.fileName !== control);
    expect(problems.map((d) => format(d, snippets))).toEqual([]);
    rmSync(OUT, { recursive: true, force: true }); // kept when a check fails, to look at
  }, 120_000);
});
