import { AuthError } from "../errors.js";
import type { User } from "../types.js";

/*
 * A disabled account (`auth.api.admin.disableUser`, ASVS 7.4.2) signs in by no method and no
 * credential of it is honoured. The rule is checked where the paths converge, not per flow:
 * `signIn` (every sign-in opens its session there) and `findLiveSessionWithUser` (every session
 * cookie, access JWT and refresh grant is judged there), plus the flows that would change the
 * account before signing in (a mailed link's proof of address, a password reset).
 */

/** Whether an administrator disabled the account. */
export function isDisabled(user: Pick<User, "disabledAt">): boolean {
  // Not `!== null` alone: a users store of your own that predates the mark hands back undefined.
  return user.disabledAt !== null && user.disabledAt !== undefined;
}

/** The refusal a disabled account's holder hears: what to do, nothing about why. */
export function accountDisabled(): AuthError {
  return new AuthError(
    "account_disabled",
    "This account is disabled; contact the administrator to have it enabled again",
  );
}

/** Throws `account_disabled` for a disabled account. */
export function assertNotDisabled(user: Pick<User, "disabledAt">): void {
  if (isDisabled(user)) throw accountDisabled();
}
