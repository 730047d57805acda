import { isAuthError } from "../../src/errors.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";

/*
 * What a failed query means for the caller: the one classifier of node-postgres errors, used by
 * every query, every transaction, `migrate` and the readiness ping (which runs a query like any
 * other), so a request and `GET /auth/ready` never disagree about an outage.
 */

/**
 * - `unavailable`: the database is not there for us; the caller gets 503 and `Retry-After`.
 * - `unmigrated`: a table, column or schema the queries expect is missing (503, "run migrate").
 * - `duplicate`: a unique constraint refused the write (the SQL layer decides what it means).
 * - `bug`: anything else; it stays what it is, and the handler answers `internal`.
 */
export type PostgresFailure = "unavailable" | "unmigrated" | "duplicate" | "bug";

/**
 * SQLSTATE classes that are the deployment's state, never the statement's fault: 08 connection
 * exception, 53 insufficient resources (too many connections, disk full, out of memory), 57
 * operator intervention (admin or crash shutdown 57P01/57P02, cannot connect now 57P03, a
 * statement or lock timeout 57014, database dropped 57P04), 58 system error (I/O).
 */
const UNAVAILABLE_CLASSES = /^(08|53|57|58)/;

/** Codes outside those classes that still mean "not now", whatever the statement was. */
const UNAVAILABLE_CODES = new Set([
  "3D000", // the database does not exist (dropped, or a wrong name in the URL)
  "28P01", // password authentication failed
  "28000", // no such role, NOLOGIN, or pg_hba.conf refuses this user or host
  "42501", // permission denied: CONNECT revoked (at connect), or a grant the app's role lacks
  "25006", // read-only transaction: a standby, or a primary being demoted during a failover
  "55P03", // lock not available (lock_timeout): the row is held elsewhere, try again
]);

/** In class 08 but our own doing: a statement with the wrong number of parameters. */
const PROTOCOL_VIOLATION = "08P01";

/** The schema is older than this code: run the migrations. */
const UNMIGRATED_CODES = new Set(["42P01", "42703", "3F000"]);

/** Errors JavaScript raises for a mistake in code (ours or a caller's), never for an outage. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

export function classifyPostgresError(error: unknown): PostgresFailure {
  if (isAuthError(error)) return error.code === "unavailable" ? "unavailable" : "bug";
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity === "string" && typeof code === "string") {
    // A server error. FATAL and PANIC end the connection whatever the code: at connect time
    // that is every refusal (55000 "not currently accepting connections" from
    // ALLOW_CONNECTIONS false, 57P03 "starting up", 53300 "too many clients", 28P01, 3D000).
    if (severity === "FATAL" || severity === "PANIC") return "unavailable";
    if (code === "23505") return "duplicate";
    if (UNMIGRATED_CODES.has(code)) return "unmigrated";
    if (code === PROTOCOL_VIOLATION) return "bug";
    if (UNAVAILABLE_CLASSES.test(code) || UNAVAILABLE_CODES.has(code)) return "unavailable";
    return "bug";
  }
  if (!(error instanceof Error)) return "bug";
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return "bug";
  // No SQLSTATE: node-postgres's own errors, which are all about the link. Socket failures
  // carry an errno code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, ENOTFOUND,
  // ENOENT for a unix socket that is gone); the client's own say "Connection terminated
  // unexpectedly", "timeout exceeded when trying to connect", "Query read timeout", "Client has
  // encountered a connection error and is not queryable", "Cannot use a pool after calling end
  // on the pool", SSL and SASL failures. The statements the driver sends are fixed strings
  // with arrays of plain values, so pg's few usage errors (a non-array of values, a reused
  // client) cannot come from here.
  return "unavailable";
}

/** Whether `error` means the database is not there for us (503), whatever it is. */
export const isUnavailable = (error: unknown): boolean =>
  classifyPostgresError(error) === "unavailable";

/** The error a caller of the storage sees: an outage or an old schema as `unavailable`. */
export function translatePostgresError(error: unknown): unknown {
  if (isAuthError(error)) return error;
  switch (classifyPostgresError(error)) {
    case "unavailable":
      return storageUnavailable(error);
    case "unmigrated":
      return storageUnavailable(
        error,
        "The database schema is not up to date: run `portcullis migrate`",
      );
    default:
      return error;
  }
}
