import { describe, expect, it } from "vitest";
import { CsvError, parseCsv, parseJsonLines } from "../../adapters/cli/import-rows.js";

/* Reading `portcullis import`'s files: RFC 4180 CSV and JSON lines, each row with its line. */

describe("CSV (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, and counts lines", () => {
    const text = [
      "email,passwordHash,emailVerified,name,createdAt",
      'a@example.com,"$2b$10$abc,def",true,"Smith, Jane",2020-01-01',
      'b@example.com,,false,"She said ""hi""",',
      'c@example.com,,f,"two',
      'lines",',
      "d@example.com,,,,",
    ].join("\r\n");
    expect(parseCsv(text)).toEqual([
      {
        line: 2,
        value: {
          email: "a@example.com",
          passwordHash: "$2b$10$abc,def",
          emailVerified: "true",
          name: "Smith, Jane",
          createdAt: "2020-01-01",
        },
      },
      {
        line: 3,
        value: {
          email: "b@example.com",
          passwordHash: "",
          emailVerified: "false",
          name: 'She said "hi"',
          createdAt: "",
        },
      },
      {
        line: 4,
        value: {
          email: "c@example.com",
          passwordHash: "",
          emailVerified: "f",
          name: "two\r\nlines",
          createdAt: "",
        },
      },
      {
        line: 6,
        value: {
          email: "d@example.com",
          passwordHash: "",
          emailVerified: "",
          name: "",
          createdAt: "",
        },
      },
    ]);
  });

  it("takes the columns in any order, a subset, LF endings, a BOM and blank lines", () => {
    const text = "\ufeffname,email\n\nAl,al@example.com\n\n";
    expect(parseCsv(text)).toEqual([{ line: 3, value: { name: "Al", email: "al@example.com" } }]);
  });

  it("reports a malformed record on its own line and goes on", () => {
    const text = [
      "email,name",
      "a@example.com,too,many",
      'b@example.com,bad "quote',
      '"c@example.com"x,name',
      "d@example.com,fine",
    ].join("\n");
    const rows = parseCsv(text);
    expect(rows.map((row) => row.line)).toEqual([2, 3, 4, 5]);
    expect(rows[0]).toMatchObject({
      error: expect.stringContaining("has 3 fields, the header has 2"),
    });
    expect(rows[1]).toMatchObject({ error: expect.stringContaining("unquoted field") });
    expect(rows[2]).toMatchObject({ error: expect.stringContaining("after a closing quote") });
    expect(rows[3]).toEqual({ line: 5, value: { email: "d@example.com", name: "fine" } });
  });

  it.each([
    ["", "empty"],
    ["name,createdAt\nAl,", 'no "email" column'],
    ["email,password_hash\n", 'unknown column "password_hash"'],
    ["email,email\n", "appears twice"],
    ['email\n"a@example.com\n', "line 2: a quoted field is never closed"],
  ])("refuses a file it cannot read: %j", (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe("JSON lines", () => {
  it("reads one value per line, skipping blank lines, reporting bad JSON by line", () => {
    const text = '{"email":"a@example.com"}\n\n{"email": oops}\r\n{"email":"b@example.com"}\n';
    expect(parseJsonLines(text)).toEqual([
      { line: 1, value: { email: "a@example.com" } },
      { line: 3, error: expect.stringContaining("not valid JSON") },
      { line: 4, value: { email: "b@example.com" } },
    ]);
  });
});
