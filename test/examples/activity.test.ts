/**
 * The starters' "Recent security activity" table: each starter has its own copy (they are copied
 * out one by one), and the four must read alike, name every event type the library emits, and
 * still say something for a type they do not know.
 */
import { describe, expect, it } from "vitest";
import { AUTH_EVENT_TYPES } from "../../src/events/events.js";
import { ROOT } from "./starter.js";

interface ActivityModule {
  describeEvent(event: Record<string, unknown>): string;
  browserOf(userAgent: string | undefined): string;
  activityRow(event: Record<string, unknown>): Record<string, unknown>;
}

const COPIES = [
  "examples/express/activity.mjs",
  "examples/fastify/activity.mjs",
  "examples/hono/activity.ts",
  "examples/nextjs/lib/activity.ts",
];
// A computed path: the copies are loaded as the starters load them, not type-checked from here.
const load = (path: string): Promise<ActivityModule> => import(`${ROOT}${path}`);

const AT = "2026-05-04T09:30:12.345Z";
const event = (type: string, fields: Record<string, unknown> = {}) => ({
  id: `id-${type}`,
  type,
  at: AT,
  userId: "u1",
  ...fields,
});

/** One event of every shape the table tells apart. */
const SAMPLES = [
  ...AUTH_EVENT_TYPES.map((type) => event(type)),
  ...["password", "magic_link", "code", "passkey", "oauth", "token", "mfa", "carrier_pigeon"].map(
    (method) => event("user.signed_in", { method, sessionId: "s1" }),
  ),
  ...[
    "unknown_account",
    "wrong_password",
    "no_password",
    "locked",
    "email_not_verified",
    "passkey_rejected",
    "wrong_second_factor",
    "account_disabled",
    "__proto__",
  ].map((reason) => event("user.sign_in_failed", { method: "password", reason })),
  ...["revoked", "signed_out_elsewhere", "password_changed", "password_reset", "account_deleted"]
    .flatMap((reason) => [["s1"], ["s1", "s2", "s3"]].map((ids) => ({ reason, ids })))
    .map(({ reason, ids }) => event("session.revoked", { sessionIds: ids, reason })),
  event("email.changed", { from: "a@example.com", to: "b@example.com", reverted: true }),
  ...["user", "admin", "address_proven"].map((by) => event("mfa.disabled", { by })),
  event("something.new"),
  event("constructor"),
];

const USER_AGENTS = [
  undefined,
  "",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  "curl/8.8.0",
  "node",
  `<script>alert("ua")</script> and a good deal more text after it`,
];

describe("the starters' activity labels", () => {
  it("are the same in all four starters", async () => {
    const [first, ...others] = await Promise.all(COPIES.map(load));
    const read = (copy: ActivityModule) => ({
      rows: SAMPLES.map((sample) => copy.activityRow(sample)),
      browsers: USER_AGENTS.map((ua) => copy.browserOf(ua)),
    });
    const expected = read(first as ActivityModule);
    others.forEach((copy, i) => {
      expect(read(copy), COPIES[i + 1]).toEqual(expected);
    });
  });

  it("name every event type the library emits, and fall back for one they do not know", async () => {
    const copy = await load(COPIES[0] as string);
    for (const type of AUTH_EVENT_TYPES) {
      expect(
        copy.describeEvent(event(type)),
        `${type} has no label in the starters' activity.* files: add one to all four`,
      ).not.toMatch(/^Other security event/);
    }
    expect(copy.describeEvent(event("something.new"))).toBe("Other security event (something.new)");
    expect(copy.describeEvent(event("constructor"))).toBe("Other security event (constructor)");
    expect(
      copy.describeEvent(event("user.sign_in_failed", { method: "password", reason: "__proto__" })),
    ).toBe("Sign-in failed");
    expect(
      copy.describeEvent(event("session.revoked", { sessionIds: ["a", "b"], reason: "revoked" })),
    ).toBe("2 sessions revoked");
  });

  it("read the time in UTC and the browser in a few words", async () => {
    const copy = await load(COPIES[0] as string);
    const row = copy.activityRow(
      event("user.signed_in", {
        method: "passkey",
        sessionId: "s1",
        ip: "203.0.113.9",
        userAgent: USER_AGENTS[3],
      }),
    );
    expect(row).toEqual({
      id: "id-user.signed_in",
      type: "user.signed_in",
      at: AT,
      when: "2026-05-04 09:30 UTC",
      what: "Signed in with a passkey",
      ip: "203.0.113.9",
      browser: "Safari on macOS",
      userAgent: USER_AGENTS[3],
    });
    expect(USER_AGENTS.map((ua) => copy.browserOf(ua))).toEqual([
      "unknown browser",
      "unknown browser",
      "Firefox on Linux",
      "Safari on macOS",
      "Safari on iOS",
      "Edge on Windows",
      "Chrome on Android",
      "curl",
      "node",
      // Unknown: the start of what was sent, as text (the pages escape it).
      `<script>alert("ua")</script> and a good …`,
    ]);
  });
});
