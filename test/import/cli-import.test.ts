import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../adapters/cli/index.js";
import { postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import type { Storage } from "../../src/index.js";
import { expectSignedIn, makeAuth } from "../helpers.js";
import { foreign, passwordOf } from "../password/foreign-fixtures.js";
import { freshPostgres, POSTGRES_URL, postgresAvailable } from "../storage/services.js";

/*
 * `portcullis import` end to end: the CLI run as a child process, as a user runs it, against a
 * SQLite file and a PostgreSQL schema migrated by `portcullis migrate`; then the imported users
 * sign in through createAuth over the same database.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const postgresUp = await postgresAvailable();

function portcullis(args: string[], stdin?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "adapters/cli/index.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const quiet = { out() {}, err() {} };

const bcrypt = foreign("bcrypt", "2b");
const werkzeug = foreign("werkzeug", "pbkdf2:sha256", "nfkc");

/** Line 1 is the header; line 5 has an unrecognised hash, line 6 a bad date. */
const CSV = [
  "email,passwordHash,emailVerified,name,createdAt",
  `alice@example.com,${bcrypt.hash},true,"Liddell, Alice",2019-05-01T12:00:00Z`,
  `bob@example.com,${werkzeug.hash},f,Bob,2020-01-01`,
  "carol@example.com,,false,,",
  "dave@example.com,$md5$abc$def,true,Dave,",
  "erin@example.com,,true,Erin,last tuesday",
].join("\n");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "portcullis-import-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signsIn(storage: Storage, email: string, password: string) {
  const auth = makeAuth({ storage });
  const { user } = expectSignedIn(await auth.api.login({ email, password }));
  return user;
}

describe("portcullis import (SQLite)", () => {
  it("imports a CSV, reports each bad row by line, and is idempotent", {
    timeout: 120_000,
  }, async () => {
    const database = join(dir, "app.db");
    const file = join(dir, "users.csv");
    writeFileSync(file, CSV);
    expect(await runCli(["migrate", "--url", database], quiet)).toBe(0);

    const dry = await portcullis(["import", "--url", `sqlite:${database}`, "--dry-run", file]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      "Dry run, nothing written: 3 would be imported, 0 skipped (already exist), 2 failed.",
    );

    const first = await portcullis(["import", "--url", `sqlite:${database}`, file]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("Imported 3, 0 skipped (already exist), 2 failed.");
    expect(first.stderr).toContain(
      "line 5 (dave@example.com): passwordHash: unrecognised hash format $md5$",
    );
    expect(first.stderr).toContain(
      "line 6 (erin@example.com): createdAt: createdAt must be an ISO 8601 date",
    );
    expect(first.stderr).not.toContain("portcullis started"); // the library's own logs stay out

    const again = await portcullis(["import", "--url", database, file]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("line 2 (alice@example.com): exists, skipped");
    expect(again.stdout).toContain("Imported 0, 3 skipped (already exist), 2 failed.");

    const storage = sqliteStorage({ path: database, migrate: false });
    try {
      const alice = await signsIn(storage, "alice@example.com", passwordOf(bcrypt));
      expect(alice).toMatchObject({ name: "Liddell, Alice", emailVerified: true });
      expect(alice.createdAt).toEqual(new Date("2019-05-01T12:00:00Z"));
      expect(await storage.passwords.get(alice.id)).toMatch(/^\$pbkdf2-sha256\$/); // upgraded
      // werkzeug hashed the raw password (№, ligature, full-width, no-break space): it works.
      await signsIn(storage, "bob@example.com", passwordOf(werkzeug));
      const carol = await storage.users.findByEmail("carol@example.com");
      expect(carol && (await storage.passwords.get(carol.id))).toBeNull();
      expect(await storage.users.findByEmail("dave@example.com")).toBeNull();
    } finally {
      storage.close();
    }
  });

  it("reads JSON lines from stdin with --format, and exits 0 when every row is in", async () => {
    const database = join(dir, "stdin.db");
    expect(await runCli(["migrate", "--url", database], quiet)).toBe(0);
    const lines = [
      JSON.stringify({ email: "zoe@example.com", passwordHash: bcrypt.hash, emailVerified: true }),
      "",
      JSON.stringify({ email: "yan@example.com" }),
    ].join("\n");
    const result = await portcullis(["import", "--url", database, "--format", "jsonl", "-"], lines);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Imported 2, 0 skipped (already exist), 0 failed.\n");
  });

  it("says what is wrong with its usage, the file or the database", async () => {
    const file = join(dir, "users.txt");
    writeFileSync(file, "{}");
    const unknownFormat = await portcullis(["import", "--url", join(dir, "x.db"), file]);
    expect(unknownFormat.code).toBe(2);
    expect(unknownFormat.stderr).toContain("pass --format csv or --format jsonl");
    expect(unknownFormat.stderr).toContain("Usage: portcullis import");

    const noDatabase = await portcullis([
      "import",
      "--url",
      join(dir, "missing.db"),
      "--format",
      "jsonl",
      file,
    ]);
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toContain('run "portcullis migrate');

    const badHeader = join(dir, "bad.csv");
    writeFileSync(badHeader, "email,password\na@example.com,x\n");
    const header = await runCli(["import", "--url", join(dir, "app.db"), badHeader], {
      out() {},
      err(text) {
        expect(text).toContain('unknown column "password"');
      },
    });
    expect(header).toBe(1);

    const help: string[] = [];
    expect(await runCli(["help", "import"], { out: (text) => help.push(text), err() {} })).toBe(0);
    expect(help.join("")).toContain("--dry-run");
    expect(await runCli(["import", "--help"], quiet)).toBe(0);
    expect(await runCli(["import", "--url", "x.db"], quiet)).toBe(2); // no file
  });
});

describe.skipIf(!postgresUp)("portcullis import (PostgreSQL)", () => {
  it("imports into a schema, idempotently", { timeout: 120_000 }, async () => {
    const db = await freshPostgres();
    try {
      expect(await runCli(["migrate", "--url", POSTGRES_URL, "--schema", db.schema], quiet)).toBe(
        0,
      );
      const file = join(dir, "pg.csv");
      writeFileSync(file, CSV);
      const args = ["import", "--url", POSTGRES_URL, "--schema", db.schema, file];
      const first = await portcullis(args);
      expect(first.stdout).toContain("Imported 3, 0 skipped (already exist), 2 failed.");
      expect(first.code).toBe(1);
      const again = await portcullis(args);
      expect(again.stdout).toContain("Imported 0, 3 skipped (already exist), 2 failed.");
      const storage = postgresStorage({ pool: db.pool, schema: db.schema });
      await signsIn(storage, "alice@example.com", passwordOf(bcrypt));
      const count = await db.pool.query(
        `SELECT COUNT(*)::int AS n FROM "${db.schema}".portcullis_users`,
      );
      expect(count.rows[0].n).toBe(3);
    } finally {
      await db.drop();
    }
  });
});
