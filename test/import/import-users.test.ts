import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { AuthError, memoryStorage, type Storage } from "../../src/index.js";
import { expectSignedIn, makeAuth, manualClock } from "../helpers.js";
import { foreign, passwordOf } from "../password/foreign-fixtures.js";

/*
 * `auth.api.importUsers`: every row validated and reported, each written whole or not at all,
 * existing emails left alone so that a re-run imports only what is missing.
 */

const bcrypt = foreign("bcrypt", "2b");
const django = foreign("django", "pbkdf2_sha256");

function auth(storage: Storage = memoryStorage()) {
  return makeAuth({ storage, clock: manualClock(Date.UTC(2026, 0, 1)) });
}

const ROWS = [
  {
    email: "  Alice@Example.COM ",
    passwordHash: bcrypt.hash,
    emailVerified: true,
    name: "Alice",
    createdAt: "2019-05-01T12:00:00Z",
  },
  // CSV's text forms: t/f booleans, empty cells, a date without a time.
  { email: "bob@example.com", passwordHash: "", emailVerified: "f", name: "", createdAt: "" },
  {
    email: "carol@example.com",
    passwordHash: django.hash,
    emailVerified: "1",
    createdAt: "2020-02-29",
  },
  {
    email: "not an email",
    passwordHash: "$md5$x$y",
    emailVerified: "maybe",
    createdAt: "yesterday",
  },
  { email: "dave@example.com", password_hash: bcrypt.hash },
  { email: "erin@example.com", passwordHash: "$1$saltsalt$qp3P/cVn9YI3Tqlwj1Hv.1" },
  { email: "ALICE@example.com", passwordHash: "" },
  { email: "frank@example.com", createdAt: "2030-01-01T00:00:00Z" },
  {
    email: "grace@example.com",
    passwordHash: foreign("argon2-cffi", "argon2id 1 GiB").hash,
  },
  "not an object",
];

describe("auth.api.importUsers", () => {
  it("imports the valid rows and reports each invalid one by field", async () => {
    const instance = auth();
    const report = await instance.api.importUsers(ROWS);
    expect(report).toMatchObject({ dryRun: false, imported: 3, exists: 0, failed: 7 });
    const byRow = new Map(report.rows.map((result) => [result.row, result]));
    expect(byRow.get(1)).toMatchObject({ status: "imported", email: "alice@example.com" });
    expect(byRow.get(2)).toMatchObject({ status: "imported", email: "bob@example.com" });
    expect(byRow.get(3)).toMatchObject({ status: "imported", email: "carol@example.com" });
    const fields = (row: number) => byRow.get(row)?.issues?.map((issue) => issue.field);
    expect(fields(4)).toEqual(["email", "passwordHash", "emailVerified", "createdAt"]);
    expect(byRow.get(4)?.issues?.[1]?.message).toContain("unrecognised hash format $md5$");
    expect(byRow.get(5)?.issues).toEqual([
      {
        field: "password_hash",
        message:
          'unknown field "password_hash": the fields are email, passwordHash, emailVerified, name, createdAt',
      },
    ]);
    expect(byRow.get(6)?.issues?.[0]).toMatchObject({ field: "passwordHash" });
    expect(byRow.get(6)?.issues?.[0]?.message).toContain("unrecognised hash format $1$");
    expect(byRow.get(7)).toMatchObject({ status: "failed", duplicateOf: 1 });
    expect(byRow.get(7)?.issues?.[0]?.message).toContain("in an earlier row too");
    expect(byRow.get(8)?.issues).toEqual([
      { field: "createdAt", message: "createdAt is in the future" },
    ]);
    expect(byRow.get(9)?.issues?.[0]?.message).toContain("password.maxArgon2MemoryKiB");
    expect(byRow.get(10)).toMatchObject({ status: "failed", issues: [{ field: "" }] });

    const alice = await instance.storage.users.findByEmail("alice@example.com");
    expect(alice).toMatchObject({
      email: "alice@example.com",
      emailVerified: true,
      name: "Alice",
      createdAt: new Date("2019-05-01T12:00:00Z"),
    });
    expect(await instance.storage.passwords.get(alice?.id as string)).toBe(bcrypt.hash);
    const bob = await instance.storage.users.findByEmail("bob@example.com");
    expect(bob).toMatchObject({ emailVerified: false, name: null });
    expect(bob?.createdAt).toEqual(new Date(Date.UTC(2026, 0, 1))); // no createdAt: now
    expect(await instance.storage.passwords.get(bob?.id as string)).toBeNull();
    const carol = await instance.storage.users.findByEmail("carol@example.com");
    expect(carol).toMatchObject({ emailVerified: true, createdAt: new Date("2020-02-29") });
    for (const email of ["dave@example.com", "erin@example.com", "frank@example.com"]) {
      expect(await instance.storage.users.findByEmail(email)).toBeNull();
    }

    // The imported users sign in with their old passwords.
    const signedIn = expectSignedIn(
      await instance.api.login({ email: "Alice@example.com", password: passwordOf(bcrypt) }),
    );
    expect(signedIn.user.id).toBe(alice?.id);
    await instance.api.login({ email: "carol@example.com", password: passwordOf(django) });
  });

  it("is idempotent: a re-run skips existing emails and overwrites nothing", async () => {
    const instance = auth();
    const first = await instance.api.importUsers(ROWS);
    const alice = await instance.storage.users.findByEmail("alice@example.com");
    // Alice signs in (her hash is rewritten) before the import runs again.
    await instance.api.login({ email: "alice@example.com", password: passwordOf(bcrypt) });
    const current = await instance.storage.passwords.get(alice?.id as string);
    expect(current).not.toBe(bcrypt.hash);

    const again = await instance.api.importUsers(ROWS);
    expect(again).toMatchObject({ imported: 0, exists: 3, failed: first.failed });
    expect(again.rows[0]).toMatchObject({ status: "exists", userId: alice?.id });
    expect(await instance.storage.passwords.get(alice?.id as string)).toBe(current);
    // Row 7 repeats row 1's email: failed on every run alike, not "exists" the second time.
    expect(again.rows[6]).toMatchObject({ status: "failed", duplicateOf: 1 });
  });

  it("writes nothing on a dry run, and says what it would do", async () => {
    const instance = auth();
    await instance.api.importUsers([ROWS[1]]);
    const report = await instance.api.importUsers(ROWS, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, imported: 2, exists: 1, failed: 7 });
    expect(report.rows.slice(0, 3).map((result) => result.status)).toEqual([
      "valid",
      "exists",
      "valid",
    ]);
    expect(await instance.storage.users.findByEmail("alice@example.com")).toBeNull();
  });

  it("emits no events: an import is not a sign-up", async () => {
    const instance = auth();
    const listener = vi.fn();
    instance.on("*", listener);
    await instance.api.importUsers(ROWS.slice(0, 3));
    expect(listener).not.toHaveBeenCalled();
    expect((await instance.api.admin.listAuditEvents()).events).toEqual([]);
  });

  it("takes an async iterable, row by row", async () => {
    const instance = auth();
    async function* rows() {
      yield { email: "one@example.com" };
      yield { email: "two@example.com", emailVerified: true };
    }
    const report = await instance.api.importUsers(rows());
    expect(report).toMatchObject({ imported: 2, failed: 0 });
  });

  it("stops when the storage is unavailable: a re-run continues where it stopped", async () => {
    const storage = memoryStorage();
    const instance = auth(storage);
    const create = storage.users.create;
    let calls = 0;
    storage.users.create = async (user, credentials) => {
      calls += 1;
      if (calls === 2) throw new AuthError("unavailable", "Storage is unavailable");
      return create(user, credentials);
    };
    const rows = [
      { email: "a@example.com" },
      { email: "b@example.com" },
      { email: "c@example.com" },
    ];
    await expect(instance.api.importUsers(rows)).rejects.toMatchObject({ code: "unavailable" });
    expect(await storage.users.findByEmail("c@example.com")).toBeNull();
    const again = await instance.api.importUsers(rows);
    expect(again).toMatchObject({ imported: 2, exists: 1, failed: 0 });
  });

  it("refuses what is not a list of rows", async () => {
    await expect(auth().api.importUsers(undefined as unknown as unknown[])).rejects.toMatchObject({
      code: "invalid_request",
    });
  });

  it("refuses options it does not know", async () => {
    await expect(
      auth().api.importUsers([], { dryrun: true } as unknown as { dryRun: boolean }),
    ).rejects.toMatchObject({ code: "invalid_request" });
  });
});

describe("no half-imported row (SQLite)", () => {
  it("leaves neither the user nor the hash when writing the password fails", async () => {
    const db = new Database(":memory:");
    const storage = sqliteStorage({ database: db });
    // The password store fails for one row, after the user row was inserted.
    db.exec(`CREATE TRIGGER fail_password BEFORE INSERT ON portcullis_passwords
      WHEN NEW.hash = '${django.hash}'
      BEGIN SELECT RAISE(ABORT, 'injected password store failure'); END`);
    const instance = auth(storage);
    const rows = [
      { email: "before@example.com", passwordHash: bcrypt.hash },
      { email: "broken@example.com", passwordHash: django.hash },
      { email: "after@example.com", passwordHash: bcrypt.hash },
    ];
    const report = await instance.api.importUsers(rows);
    expect(report).toMatchObject({ imported: 2, failed: 1 });
    expect(report.rows[1]?.issues?.[0]?.message).toContain("injected password store failure");
    expect(await storage.users.findByEmail("broken@example.com")).toBeNull();
    const orphans = db
      .prepare(
        "SELECT COUNT(*) AS n FROM portcullis_users WHERE id NOT IN (SELECT user_id FROM portcullis_passwords)",
      )
      .get() as { n: number };
    expect(orphans.n).toBe(0);

    db.exec("DROP TRIGGER fail_password");
    const again = await instance.api.importUsers(rows);
    expect(again).toMatchObject({ imported: 1, exists: 2, failed: 0 });
    await instance.api.login({ email: "broken@example.com", password: passwordOf(django) });
  });
});
