import { isAuthError } from "../../src/errors.js";
import { storageUnavailable } from "../../src/util/storage-unavailable.js";

/*
 * What a failed Redis command means for the caller: the one classifier of ioredis errors, used
 * by every command and script of the Redis ports and by their readiness ping, so a request and
 * `GET /auth/ready` never disagree about an outage.
 */

/**
 * Replies that are the server's state, not the command's fault: still loading its data set,
 * a replica refusing writes (READONLY, after a failover), a primary without enough replicas,
 * a long script or a busy server, authentication the server wants or refuses (NOAUTH,
 * WRONGPASS, an ACL denying the app's user), out of memory under `noeviction`, snapshots
 * failing (MISCONF), a cluster that is down or resharding, and a full client table.
 */
const UNAVAILABLE_REPLIES =
  /^(LOADING|READONLY|MASTERDOWN|NOREPLICAS|BUSY|NOAUTH|WRONGPASS|NOPERM|OOM|MISCONF|CLUSTERDOWN|TRYAGAIN)\b|^ERR max number of clients reached/;

/** Errors JavaScript raises for a mistake in code, never for an outage. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

export function isRedisUnavailable(error: unknown): boolean {
  if (isAuthError(error)) return error.code === "unavailable";
  if (!(error instanceof Error)) return false;
  // A server reply: a bad script or a wrong type is a bug and stays what it is.
  if (error.name === "ReplyError") return UNAVAILABLE_REPLIES.test(error.message);
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return false;
  // Everything else ioredis raises is about the link: "Connection is closed.", a command that
  // timed out (`commandTimeout`), MaxRetriesPerRequestError once the retries are spent, a
  // command aborted by a closing connection, "Stream isn't writeable" with the offline queue
  // off, and the socket's own ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE.
  return true;
}

/** The error a caller of the storage sees: an outage as `unavailable` (503, `Retry-After`). */
export function translateRedisError(error: unknown): unknown {
  if (isAuthError(error)) return error;
  return isRedisUnavailable(error) ? storageUnavailable(error) : error;
}
