import * as z from "zod";
import { emailField } from "../accounts/fields.js";
import type { AuthContext } from "../context/context.js";
import { randomId } from "../crypto/ids.js";
import { AuthError, isAuthError } from "../errors.js";
import { inspectStoredHash } from "../password/hashing.js";
import { MAX_PHC_LENGTH } from "../password/phc.js";
import { parseInput } from "../validation.js";

/*
 * Moving users in from another stack (`auth.api.importUsers`, `portcullis import`): each row is
 * validated, then created with its password hash as it is, in whatever format the old stack
 * wrote it (bcrypt, Django, passlib, werkzeug, Argon2...). The user's next sign-in verifies it
 * and rewrites it with the configured hasher.
 *
 * - All or nothing per row: `users.create(user, { passwordHash })` is atomic by the storage
 *   contract (one SQL transaction), so a failure leaves neither the user nor the hash.
 * - Idempotent: a row whose email already has an account is reported `exists` and left alone,
 *   never overwritten (the account may have changed its password since the export), so a
 *   re-run after a partial failure imports exactly what is missing.
 * - No events: `user.registered` means someone signed up (listeners send welcome mail, webhooks
 *   provision), and an import is neither; the report and one log line say what happened.
 */

/** The fields of a row: CSV's columns, JSON lines' keys. */
export const IMPORT_FIELDS = [
  "email",
  "passwordHash",
  "emailVerified",
  "name",
  "createdAt",
] as const;

/** Empty text (a CSV cell) counts as left out. */
const blank = (value: unknown) => (value === "" || value === null ? undefined : value);

const TRUE = new Set(["true", "t", "1", "yes"]);
const FALSE = new Set(["false", "f", "0", "no"]);

/**
 * One user to import. Text forms are accepted for what CSV cannot type: booleans as
 * true/false, t/f (PostgreSQL's COPY), 1/0; dates as ISO 8601 with a time zone.
 */
export const importRowInput = z.strictObject(
  {
    email: emailField,
    /** The stored hash as the old stack wrote it; empty for a user without a password. */
    passwordHash: z.preprocess(
      blank,
      z
        .string({ error: "passwordHash must be text" })
        .max(MAX_PHC_LENGTH, `passwordHash must be at most ${MAX_PHC_LENGTH} characters`)
        .optional(),
    ),
    emailVerified: z.preprocess(
      (value) => {
        const given = blank(value);
        if (typeof given !== "string") return given ?? false;
        const text = given.trim().toLowerCase();
        return TRUE.has(text) ? true : FALSE.has(text) ? false : given;
      },
      z.boolean({ error: "emailVerified must be true or false (or t/f, 1/0)" }),
    ),
    name: z.preprocess(
      (value) => (typeof value === "string" && value.trim() === "" ? undefined : blank(value)),
      z
        .string({ error: "name must be text" })
        .trim()
        .max(200, "name must be at most 200 characters")
        .optional(),
    ),
    createdAt: z.preprocess(
      blank,
      z
        .union([z.date(), z.iso.datetime({ offset: true }), z.iso.date()], {
          error:
            "createdAt must be an ISO 8601 date, e.g. 2024-05-01T12:00:00Z (with Z or an offset) or 2024-05-01",
        })
        .optional(),
    ),
  },
  { error: "a row must be an object with email, passwordHash, emailVerified, name, createdAt" },
);

export const importUsersOptions = z
  .strictObject({
    /** Validate every row and say what would happen, writing nothing. */
    dryRun: z.boolean().default(false),
  })
  .prefault({});

/** What is wrong with a row: the field (`""` for the row itself) and what to do. */
export interface ImportIssue {
  field: string;
  message: string;
}

/**
 * `imported`: created. `valid`: would be created (dry run). `exists`: an account with this email
 * was there already and was left alone. `failed`: see `issues`; nothing was written.
 */
export type ImportStatus = "imported" | "valid" | "exists" | "failed";

export interface ImportRowResult {
  /** 1-based position of the row in the input. */
  row: number;
  status: ImportStatus;
  /** The email as stored (trimmed, lower-cased), when the row had a valid one. */
  email?: string;
  /** The new account's id (`imported`) or the existing one's (`exists`). */
  userId?: string;
  issues?: ImportIssue[];
  /** For a row whose email an earlier row has too: that row's position. */
  duplicateOf?: number;
}

export interface ImportReport {
  dryRun: boolean;
  /** Created, or with `dryRun` would be. */
  imported: number;
  /** Left alone: an account with the email exists. */
  exists: number;
  failed: number;
  rows: ImportRowResult[];
}

type ImportRow = z.output<typeof importRowInput>;

/**
 * Imports users with their password hashes (see the top of this file). Rows are processed in
 * order, one at a time; a row that fails is reported and the next one is tried. A storage that
 * is unavailable stops the import (`unavailable`): run it again, imported rows are skipped.
 */
export async function importUsers(
  ctx: AuthContext,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  options?: unknown,
): Promise<ImportReport> {
  const { dryRun } = parseInput(importUsersOptions, options);
  const iterable =
    rows !== null &&
    typeof rows === "object" &&
    (Symbol.iterator in rows || Symbol.asyncIterator in rows);
  if (!iterable) {
    throw new AuthError("invalid_request", "rows must be an array (or an iterable) of objects");
  }
  const report: ImportReport = { dryRun, imported: 0, exists: 0, failed: 0, rows: [] };
  // Two rows with one email (case-insensitively) are a conflict in the source to resolve, not
  // a re-run: the later one fails, on every run alike.
  const firstRowOf = new Map<string, number>();
  let row = 0;
  for await (const input of rows) {
    row += 1;
    const result = await importRow(ctx, row, input, firstRowOf, dryRun);
    report.rows.push(result);
    if (result.status === "exists") report.exists += 1;
    else if (result.status === "failed") report.failed += 1;
    else report.imported += 1;
  }
  ctx.config.logger.info(
    { dryRun, imported: report.imported, exists: report.exists, failed: report.failed },
    dryRun ? "user import checked (dry run, nothing written)" : "users imported",
  );
  return report;
}

async function importRow(
  ctx: AuthContext,
  row: number,
  input: unknown,
  firstRowOf: Map<string, number>,
  dryRun: boolean,
): Promise<ImportRowResult> {
  const parsed = importRowInput.safeParse(input);
  // The email of a row that is invalid elsewhere still names it in the report.
  const emailOnly = emailField.safeParse((input as { email?: unknown } | null)?.email);
  const email = parsed.success ? parsed.data.email : emailOnly.success ? emailOnly.data : undefined;
  // Every problem of the row at once, the hash's included, so one fix-up pass is enough.
  const issues = parsed.success
    ? checkRow(ctx, parsed.data)
    : withHashIssues(ctx, input, describeIssues(parsed.error));
  const first = email === undefined ? undefined : firstRowOf.get(email);
  const failed = (found: ImportIssue[]): ImportRowResult => ({
    row,
    status: "failed",
    ...(email === undefined ? {} : { email }),
    issues: found,
    ...(first === undefined ? {} : { duplicateOf: first }),
  });
  if (email !== undefined && first !== undefined) {
    issues.push({
      field: "email",
      message: `${email} is in an earlier row too (emails are compared case-insensitively): merge the two accounts in the source`,
    });
  } else if (email !== undefined) {
    firstRowOf.set(email, row);
  }
  if (!parsed.success || issues.length > 0) return failed(issues);

  const user = parsed.data;
  const existing = await ctx.storage.users.findByEmail(user.email);
  if (existing) return { row, status: "exists", email: user.email, userId: existing.id };
  if (dryRun) return { row, status: "valid", email: user.email };
  try {
    const created = await ctx.storage.users.create(
      {
        id: randomId(ctx.random),
        email: user.email,
        emailVerified: user.emailVerified,
        name: user.name ?? null,
        createdAt: toDate(user.createdAt) ?? ctx.now(),
      },
      // One atomic write: the user and its hash together, or neither.
      user.passwordHash === undefined ? {} : { passwordHash: user.passwordHash },
    );
    return { row, status: "imported", email: user.email, userId: created.id };
  } catch (error) {
    if (isAuthError(error) && error.code === "email_taken") {
      // Created meanwhile (another import, a sign-up): as good as `exists`.
      const holder = await ctx.storage.users.findByEmail(user.email);
      return { row, status: "exists", email: user.email, ...(holder ? { userId: holder.id } : {}) };
    }
    if (isAuthError(error) && error.code === "unavailable") throw error;
    const message = error instanceof Error ? error.message : String(error);
    return failed([
      { field: "", message: `storage refused the row, nothing was written: ${message}` },
    ]);
  }
}

/** What the schema cannot check: that the hash is readable here, and the date is not ahead. */
function checkRow(ctx: AuthContext, user: ImportRow): ImportIssue[] {
  const issues: ImportIssue[] = [];
  if (user.passwordHash !== undefined) issues.push(...hashIssues(ctx, user.passwordHash));
  const createdAt = toDate(user.createdAt);
  if (createdAt !== undefined && createdAt.getTime() > ctx.now().getTime()) {
    issues.push({ field: "createdAt", message: "createdAt is in the future" });
  }
  return issues;
}

/** Whether the configured hasher chain or a foreign format can verify `hash`, and if not why. */
function hashIssues(ctx: AuthContext, hash: string): ImportIssue[] {
  const reading = inspectStoredHash(ctx.hasher, hash, {
    maxArgon2MemoryKiB: ctx.config.password.maxArgon2MemoryKiB,
  });
  if (reading.kind === "unknown") {
    return [
      {
        field: "passwordHash",
        message: `unrecognised hash format ${reading.prefix ?? "(no scheme prefix)"}: the supported ones are bcrypt, scrypt, Argon2 and PBKDF2 as passlib, Django and werkzeug write them, and Portcullis's own`,
      },
    ];
  }
  if (reading.kind === "refused") {
    return [{ field: "passwordHash", message: `${reading.format}: ${reading.problem}` }];
  }
  return [];
}

/** A row that failed the schema elsewhere still has its hash checked, when it has one. */
function withHashIssues(ctx: AuthContext, input: unknown, issues: ImportIssue[]): ImportIssue[] {
  const hash = (input as { passwordHash?: unknown } | null)?.passwordHash;
  const hashChecked = issues.some((issue) => issue.field === "passwordHash");
  if (typeof hash !== "string" || hash === "" || hashChecked) return issues;
  const found = [...issues, ...hashIssues(ctx, hash)];
  const order = (field: string) => {
    const index = (IMPORT_FIELDS as readonly string[]).indexOf(field);
    return index === -1 ? IMPORT_FIELDS.length : index;
  };
  return found.sort((a, b) => order(a.field) - order(b.field));
}

function toDate(value: Date | string | undefined): Date | undefined {
  return value === undefined ? undefined : value instanceof Date ? value : new Date(value);
}

function describeIssues(error: z.ZodError): ImportIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: key,
        message: `unknown field "${key}": the fields are ${IMPORT_FIELDS.join(", ")}`,
      }));
    }
    return [{ field: issue.path.map(String).join("."), message: issue.message }];
  });
}
