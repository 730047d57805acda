import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { fromAuditRecord } from "../events/audit-record.js";
import { AUTH_EVENT_TYPES, type AuthEvent } from "../events/events.js";
import { parseInput } from "../validation.js";

/*
 * Reading the audit log (DESIGN §6): what the `"*"` subscriber of `buildContext` appended, newest
 * first, a page at a time. Inputs may be strings throughout (an HTTP query string), or a Date and
 * a number from server code.
 */

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

/** A Date, or an ISO 8601 date-time with its offset (`2026-01-01T00:00:00Z`). */
const instant = (name: string) =>
  z
    .union([z.date(), z.iso.datetime({ offset: true })], {
      error: `${name} must be a Date or an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z`,
    })
    .transform((value) => new Date(value));

const limitField = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^\d{1,4}$/)
        .transform(Number),
    ],
    {
      error: `limit must be a whole number from 1 to ${AUDIT_PAGE_MAX}`,
    },
  )
  .pipe(
    z
      .number()
      .int()
      .min(1, `limit must be a whole number from 1 to ${AUDIT_PAGE_MAX}`)
      .max(AUDIT_PAGE_MAX, `limit must be at most ${AUDIT_PAGE_MAX}`),
  );

export const listAuditEventsInput = z.strictObject({
  /** Events of this account (kept after the account is deleted). */
  userId: z.string().min(1).max(255).optional(),
  type: z
    .enum(AUTH_EVENT_TYPES, { error: `type must be one of ${AUTH_EVENT_TYPES.join(", ")}` })
    .optional(),
  /** Events at or after this instant. */
  since: instant("since").optional(),
  /** Events strictly before this instant. */
  until: instant("until").optional(),
  limit: limitField.default(AUDIT_PAGE_DEFAULT),
  /** The `nextCursor` of the previous page, with the same filters. */
  cursor: z.string().min(1).max(200).optional(),
});

export interface AuditEventPage {
  /** Newest first, in the shape listeners get them (`at` an ISO string). */
  events: AuthEvent[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** One page of the audit log; a cursor the store did not make is `invalid_request`. */
export async function listAuditEvents(
  ctx: AuthContext,
  input: z.input<typeof listAuditEventsInput> = {},
): Promise<AuditEventPage> {
  const query = parseInput(listAuditEventsInput, input);
  const { records, nextCursor } = await ctx.storage.audit.query(query);
  return { events: records.map(fromAuditRecord), nextCursor };
}
