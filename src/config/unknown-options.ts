import type { z } from "zod";
import type { ConfigIssue } from "../config-error.js";

/*
 * The message for an option the schema does not know: its dotted path, and what was probably
 * meant — a sibling spelled alike (`sesion` → `session`, `maxage` → `maxAge`), else an option of
 * that name elsewhere (`rpID` → `passkey.rpID`), else the options that level takes.
 */

type Schema = z.core.$ZodType;
type Path = readonly PropertyKey[];

/** The schema inside wrappers (optional, default, prefault, a transform's input...). */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def as { type: string; innerType?: Schema; in?: Schema };
    const inner = def.type === "pipe" ? def.in : def.innerType;
    if (!inner) return current;
    current = inner;
  }
  return current;
}

function shapeOf(schema: Schema): Record<string, Schema> | null {
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, Schema> };
  return def.type === "object" && def.shape ? def.shape : null;
}

/** The schema at `path` (object keys and array indexes), or null when there is none. */
function schemaAt(root: Schema, path: Path): Schema | null {
  let current: Schema | null = root;
  for (const segment of path) {
    if (current === null) return null;
    const def = unwrap(current)._zod.def as { type: string; element?: Schema };
    if (def.type === "array") {
      current = def.element ?? null;
    } else {
      current = shapeOf(current)?.[String(segment)] ?? null;
    }
  }
  return current;
}

/** Every option's dotted path (arrays of objects as `keys.*`), for finding a key elsewhere. */
function allOptions(schema: Schema, prefix: string[] = []): string[][] {
  const shape = shapeOf(schema);
  if (shape) {
    return Object.entries(shape).flatMap(([key, child]) => [
      [...prefix, key],
      ...allOptions(child, [...prefix, key]),
    ]);
  }
  const def = unwrap(schema)._zod.def as { type: string; element?: Schema };
  return def.type === "array" && def.element ? allOptions(def.element, [...prefix, "*"]) : [];
}

/** Optimal string alignment distance (Levenshtein plus transpositions), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(s.length, t.length);
}

/** The known key closest to `key`, if it is close enough to be a likely typo. */
function closest(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.min(key.length, best?.length ?? 0) / 3));
  return best !== null && bestDistance <= allowed ? best : null;
}

const quote = (path: string[]) => `"${path.join(".")}"`;

/**
 * The issue for the unknown key at `path` (the object's path plus the key), with a suggestion.
 * `moved` maps options that moved away (dotted, indexes as they appear) to a message of their own.
 */
export function unknownOptionIssue(
  schema: Schema,
  path: Path,
  moved: Readonly<Record<string, string>> = {},
): ConfigIssue {
  const names = path.map(String);
  const option = names.join(".");
  const movedMessage = moved[option];
  if (movedMessage) return { option, message: movedMessage };
  const key = names[names.length - 1] as string;
  const parent = names.slice(0, -1);
  const shape = shapeOf(schemaAt(schema, path.slice(0, -1)) ?? schema);
  const siblings = shape ? Object.keys(shape) : [];
  const unknown = `unknown option ${quote(names)}`;

  const sibling = closest(key, siblings);
  if (sibling !== null) {
    return { option, message: `${unknown} (did you mean ${quote([...parent, sibling])}?)` };
  }
  const elsewhere = allOptions(schema).find(
    (candidate) => candidate[candidate.length - 1]?.toLowerCase() === key.toLowerCase(),
  );
  if (elsewhere) {
    return { option, message: `${unknown} (did you mean ${quote(elsewhere)}?)` };
  }
  if (parent.length > 0 && siblings.length > 0) {
    return { option, message: `${unknown}: ${quote(parent)} takes ${siblings.join(", ")}` };
  }
  return { option, message: `${unknown}: see AuthOptions for every option` };
}
