import { AuthError } from "../errors.js";

/**
 * How long a caller is told to wait (`Retry-After`, seconds) when storage is down: long enough
 * not to hammer a database coming back, short enough that a blip costs a user one retry. The
 * same figure `GET /auth/ready` answers with.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The one error a storage adapter turns an outage into: `unavailable` (503) with `Retry-After`,
 * the driver's error kept as `cause` for the log. `message` says what the operator should do
 * when there is something to do (run the migrations); the default is the generic one that
 * readiness reports as "storage is not reachable".
 */
export function storageUnavailable(cause: unknown, message = "Storage is unavailable"): AuthError {
  return new AuthError(
    "unavailable",
    message,
    { retryAfter: STORAGE_RETRY_AFTER_SECONDS },
    { cause },
  );
}
