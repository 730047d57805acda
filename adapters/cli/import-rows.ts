/*
 * Reading `portcullis import`'s input into rows, each with the line it starts on, so every
 * problem can be reported as "line N: field: message". Two formats: JSON lines (one object per
 * line) and CSV (RFC 4180: a header line, comma-separated fields, `"` quotes fields that hold
 * commas, quotes or line breaks, `""` is a quote inside one).
 */

/** The columns an import file may have; `email` is required. */
export const IMPORT_COLUMNS = ["email", "passwordHash", "emailVerified", "name", "createdAt"];

/** A row read from the file, or why it could not be read. */
export type SourceRow = { line: number; value: unknown } | { line: number; error: string };

export type ImportFormat = "csv" | "jsonl";

/** Every non-blank line is one JSON object. */
export function parseJsonLines(text: string): SourceRow[] {
  const rows: SourceRow[] = [];
  const lines = stripBom(text).split(/\r?\n/);
  lines.forEach((content, index) => {
    if (content.trim() === "") return;
    const line = index + 1;
    try {
      rows.push({ line, value: JSON.parse(content) });
    } catch (error) {
      rows.push({ line, error: `not valid JSON: ${(error as Error).message}` });
    }
  });
  return rows;
}

/** Thrown for a file that cannot be read as CSV at all (its header, an unclosed quote). */
export class CsvError extends Error {}

/**
 * RFC 4180 CSV with a header naming the columns (any order, `email` required). Line breaks may
 * be CRLF or LF; a UTF-8 BOM (spreadsheets write one) is skipped; blank lines are ignored.
 */
export function parseCsv(text: string): SourceRow[] {
  const records = csvRecords(stripBom(text));
  const header = records.shift();
  if (header === undefined) throw new CsvError("the file is empty: it needs a header line");
  const columns = header.fields.map((name) => name.trim());
  const unknown = columns.filter((name) => !IMPORT_COLUMNS.includes(name));
  if (unknown.length > 0) {
    throw new CsvError(
      `line 1: unknown column ${unknown.map((name) => `"${name}"`).join(", ")}: the columns are ${IMPORT_COLUMNS.join(",")}`,
    );
  }
  const repeated = columns.find((name, index) => columns.indexOf(name) !== index);
  if (repeated !== undefined) throw new CsvError(`line 1: column "${repeated}" appears twice`);
  if (!columns.includes("email")) throw new CsvError('line 1: the header has no "email" column');

  return records.map(({ line, fields, error }): SourceRow => {
    if (error !== undefined) return { line, error };
    if (fields.length !== columns.length) {
      return {
        line,
        error: `has ${fields.length} fields, the header has ${columns.length}: quote a field that holds a comma`,
      };
    }
    return { line, value: Object.fromEntries(columns.map((name, i) => [name, fields[i]])) };
  });
}

interface CsvRecord {
  /** The line the record starts on (a quoted field may span several). */
  line: number;
  fields: string[];
  /** Set when the record is malformed; its fields are then incomplete. */
  error?: string;
}

function csvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    // One record: fields until an unquoted line break or the end.
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          if (i >= text.length) {
            throw new CsvError(`line ${start}: a quoted field is never closed`);
          }
          const char = text[i] as string;
          if (char === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            break;
          }
          if (char === "\n") line += 1;
          field += char;
          i += 1;
        }
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          error ??= "text after a closing quote: a quote inside a quoted field is written twice";
          while (i < text.length && text[i] !== "," && text[i] !== "\n") i += 1;
        }
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"') {
            error ??= 'a " in an unquoted field: quote the field and write the " twice';
          }
          field += text[i];
          i += 1;
        }
      }
      fields.push(field);
      if (text[i] === ",") {
        i += 1;
        continue;
      }
      if (text[i] === "\r") i += 1;
      if (text[i] === "\n") {
        i += 1;
        line += 1;
      }
      break;
    }
    const blank = fields.length === 1 && fields[0] === "";
    if (!blank)
      records.push(error === undefined ? { line: start, fields } : { line: start, fields, error });
  }
  return records;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
