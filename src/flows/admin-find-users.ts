import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { base64urlDecode, base64urlEncode } from "../crypto/base64url.js";
import { AuthError } from "../errors.js";
import type { User } from "../types.js";
import { parseInput } from "../validation.js";

/*
 * `auth.api.admin.findUsers` (DESIGN §6): users whose email starts with a query, a page at a time,
 * in a stable order (the lower-cased email, unique), behind an opaque keyset cursor. Inputs may
 * be strings throughout (an HTTP query string) or a number for `limit` from server code.
 */

export const USERS_PAGE_DEFAULT = 50;
export const USERS_PAGE_MAX = 200;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${USERS_PAGE_MAX}`;

const limitField = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^\d{1,4}$/)
        .transform(Number),
    ],
    { error: LIMIT_MESSAGE },
  )
  .pipe(z.number().int().min(1, LIMIT_MESSAGE).max(USERS_PAGE_MAX, LIMIT_MESSAGE));

export const findUsersInput = z.strictObject({
  /** The start of the email, any case; `""` (the default) lists every user. */
  query: z
    .string({ error: "query must be a string: the start of an email address" })
    .trim()
    .max(320, "query must be at most 320 characters")
    .default(""),
  /** The `nextCursor` of the previous page, with the same query. */
  cursor: z.string().min(1).max(2048).optional(),
  limit: limitField.default(USERS_PAGE_DEFAULT),
});

export interface UserPage {
  /** Ordered by email, lower-cased. */
  users: User[];
  /** Pass it as `cursor` for the next page (with the same `query`); null on the last page. */
  nextCursor: string | null;
}

/** What a cursor carries: the query it pages (so it fits no other) and the last email seen. */
const cursorShape = z.strictObject({ q: z.string(), after: z.string() });

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function encodeCursor(query: string, after: string): string {
  return base64urlEncode(encoder.encode(JSON.stringify({ q: query, after })));
}

function decodeCursor(cursor: string, query: string): string {
  const invalid = () =>
    new AuthError(
      "invalid_request",
      "cursor is not one this query handed out: pass the nextCursor of the previous page, with the same query",
    );
  const bytes = base64urlDecode(cursor);
  if (!bytes) throw invalid();
  let parsed: z.infer<typeof cursorShape>;
  try {
    parsed = cursorShape.parse(JSON.parse(decoder.decode(bytes)));
  } catch {
    throw invalid();
  }
  if (parsed.q !== query) throw invalid();
  return parsed.after;
}

/**
 * One page of users whose email starts with `query` (case-insensitive; `%`, `_` and the like
 * are plain characters). A user added meanwhile shows on a later page when it sorts after the
 * cursor, never as a repeat; one whose email changes meanwhile may move. Needs the users store's
 * optional `list` (memory, SQLite and PostgreSQL have it).
 */
export async function findUsers(
  ctx: AuthContext,
  input: z.input<typeof findUsersInput> = {},
): Promise<UserPage> {
  const { query, cursor, limit } = parseInput(findUsersInput, input);
  const list = ctx.storage.users.list?.bind(ctx.storage.users);
  if (!list) {
    throw new Error(
      "findUsers needs the users store's list(): this storage's users port has none (memory, SQLite and PostgreSQL have it)",
    );
  }
  const emailPrefix = query.toLowerCase();
  const afterEmail = cursor === undefined ? undefined : decodeCursor(cursor, emailPrefix);
  // One more than asked: whether it comes back says whether there is a next page.
  const found = await list({ emailPrefix, afterEmail, limit: limit + 1 });
  const users = found.slice(0, limit);
  const last = users.at(-1);
  return {
    users,
    nextCursor:
      found.length > limit && last ? encodeCursor(emailPrefix, last.email.toLowerCase()) : null,
  };
}
