// "Recent security activity" on the account page: the signed-in user's last audit events, each as
// a sentence a person reads ("Signed in with password"), when, and from where. Every starter has
// this same table (each is copied out on its own, so none imports another's);
// test/examples/activity.test.ts checks that the four copies say the same thing.

const SIGNED_IN = {
  password: "Signed in with password",
  magic_link: "Signed in with a magic link",
  code: "Signed in with an emailed code",
  passkey: "Signed in with a passkey",
  oauth: "Signed in with a linked account",
  token: "Signed in from an app (token)",
  mfa: "Signed in with two-step verification",
};

const SIGN_IN_FAILED = {
  wrong_password: "Sign-in failed (wrong password)",
  no_password: "Sign-in failed (the account has no password)",
  locked: "Sign-in refused (locked after failed attempts)",
  email_not_verified: "Sign-in refused (email not verified)",
  passkey_rejected: "Sign-in failed (passkey refused)",
  unknown_account: "Sign-in failed (unknown account)",
  wrong_second_factor: "Sign-in failed (wrong two-step code)",
  account_disabled: "Sign-in refused (account disabled)",
};

// `session.revoked` by its reason; "revoked" (the user did it) is counted instead.
const SESSIONS_ENDED = {
  signed_out_elsewhere: "Signed out everywhere else",
  password_changed: "Other sessions signed out (password changed)",
  password_reset: "Signed out everywhere (password reset)",
  address_proven: "Signed out everywhere (email address proven)",
  email_change_cancelled: "Signed out everywhere (email change cancelled)",
  account_deleted: "Signed out everywhere (account deleted)",
  refresh_token_reuse: "Session revoked (a refresh token was reused)",
};

const LABELS = {
  "user.registered": "Account created",
  "user.locked_out": "Password sign-in locked (too many failed attempts)",
  "user.signed_out": "Signed out",
  "password.changed": "Password changed",
  "password.reset_requested": "Password reset requested",
  "password.reset": "Password reset",
  "email.verified": "Email verified",
  "email.change_requested": "Email change requested",
  "passkey.added": "Passkey added",
  "passkey.removed": "Passkey removed",
  "passkey.clone_suspected": "Passkey refused (it may have been copied)",
  "mfa.enabled": "Two-step verification turned on",
  "mfa.recovery_code_used": "Recovery code used",
  "mfa.recovery_codes_regenerated": "New recovery codes made (the old ones stopped working)",
  "oauth.linked": "Linked account added",
  "oauth.unlinked": "Linked account removed",
  "refresh_token.reuse_detected": "Refresh token reused (possible theft)",
  "user.disabled": "Account disabled",
  "user.enabled": "Account enabled",
  "user.deleted": "Account deleted",
  "mail.dead_lettered": "An email could not be delivered",
};

const pick = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);

/** What happened, in words; an event type this table does not know yet still gets a line. */
export function describeEvent(event) {
  switch (event.type) {
    case "user.signed_in":
      return pick(SIGNED_IN, event.method) ?? "Signed in";
    case "user.sign_in_failed":
      return pick(SIGN_IN_FAILED, event.reason) ?? "Sign-in failed";
    case "session.revoked": {
      const count = event.sessionIds?.length ?? 1;
      return (
        pick(SESSIONS_ENDED, event.reason) ??
        (count === 1 ? "Session revoked" : `${count} sessions revoked`)
      );
    }
    case "email.changed":
      return event.reverted ? "Email change undone" : "Email changed";
    case "mfa.disabled":
      if (event.by === "admin") return "Two-step verification reset by an administrator";
      if (event.by === "address_proven") {
        return "Two-step verification removed (email address proven)";
      }
      return "Two-step verification turned off";
    default:
      return pick(LABELS, event.type) ?? `Other security event (${event.type})`;
  }
}

const BROWSERS = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrome\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/^curl\//, "curl"],
];
const SYSTEMS = [
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Mac OS X/, "macOS"],
  [/Windows/, "Windows"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/**
 * "Firefox on Linux" for the browsers people use; anything else, the start of what it sent. The
 * user agent is whatever the request said (an attacker's too): the page escapes it.
 */
export function browserOf(userAgent) {
  if (!userAgent) return "unknown browser";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
}

/** `2026-05-04 09:30 UTC`: one reading for everyone, whatever the server's time zone. */
export const utcMinute = (at) => `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** One row of the list: plain strings, which the page escapes. */
export function activityRow(event) {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    when: utcMinute(event.at),
    what: describeEvent(event),
    ip: event.ip ?? null,
    browser: browserOf(event.userAgent),
    userAgent: event.userAgent ?? null,
  };
}

/**
 * The user's last `limit` audit events, newest first. `auth.api.admin` is server code trusted to
 * have checked who asks: here the signed-in user asks for their own account, and only theirs.
 */
export async function recentActivity(auth, userId, limit = 10) {
  const { events } = await auth.api.admin.listAuditEvents({ userId, limit });
  return events.map(activityRow);
}
