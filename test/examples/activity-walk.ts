/**
 * "Recent security activity" on a starter's protected page, over HTTP: what the account did shows
 * up there, newest first, in words; a hostile User-Agent is escaped; another account's events
 * never appear; only the last ten are listed; and each event was logged on one line, without a
 * password.
 */
import { expect } from "vitest";
import { browser } from "./hono-nextjs-walk.js";

const PASSWORD = "correct horse battery staple";
const WRONG = "not the password at all";
const NEW_PASSWORD = "a brand new passphrase for activity";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
/** An attacker's browser: the user agent ends up on the victim's page. */
const HOSTILE_UA = `<script>alert("ua")</script><img src=x onerror=alert(1)>`;
const STRANGER_UA = "StrangerBrowser/9.9";

export interface ActivityRowSeen {
  type: string;
  what: string;
  from: string;
  browser: string;
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
  "&amp;": "&",
};
const text = (cell: string) =>
  cell
    .replace(/<[^>]*>/g, "")
    .replace(/&(?:lt|gt|quot|amp|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity)
    .trim();

/** The rows of the page's activity table (`<tr data-event="...">`), in page order. */
export function activityRows(html: string): ActivityRowSeen[] {
  const table = html.match(/<table id="activity">([\s\S]*?)<\/table>/)?.[1];
  if (table === undefined) return [];
  return [...table.matchAll(/<tr data-event="([^"]+)">([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...(row[2] as string).matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      text(cell[1] as string),
    );
    return {
      type: row[1] as string,
      what: cells[1] ?? "",
      from: cells[2] ?? "",
      browser: cells[3] ?? "",
    };
  });
}

export async function activityOverHTTP(
  baseURL: string,
  origin: string,
  pages: {
    protectedPage: string;
    output: () => string;
    /** False where the app hands the library no client address (Next.js route handlers). */
    knowsIP?: boolean;
  },
) {
  const stamp = Date.now();
  const email = `activity-${stamp}@example.com`;
  const laptop = browser(baseURL, origin, { "user-agent": FIREFOX });
  const attacker = browser(baseURL, origin, { "user-agent": HOSTILE_UA });
  const stranger = browser(baseURL, origin, { "user-agent": STRANGER_UA });
  const page = async () => {
    const response = await laptop.send("GET", pages.protectedPage, undefined, "text/html");
    expect(response.status).toBe(200);
    return response.text();
  };

  expect((await laptop.send("POST", "/auth/register", { email, password: PASSWORD })).status).toBe(
    201,
  );
  const me = await laptop.send("GET", "/api/me");
  const userId = ((await me.json()) as { user: { id: string } }).user.id;

  // Someone with the hostile user agent guesses wrong, then signs in with the password.
  expect((await attacker.send("POST", "/auth/login", { email, password: WRONG })).status).toBe(401);
  expect((await attacker.send("POST", "/auth/login", { email, password: PASSWORD })).status).toBe(
    200,
  );
  // Another account's own events, from another browser, meanwhile.
  const strangerEmail = `stranger-${stamp}@example.com`;
  expect(
    (await stranger.send("POST", "/auth/register", { email: strangerEmail, password: PASSWORD }))
      .status,
  ).toBe(201);
  expect(
    (await stranger.send("POST", "/auth/login", { email: strangerEmail, password: WRONG })).status,
  ).toBe(401);
  expect((await stranger.send("POST", "/auth/logout")).status).toBe(204);
  // The owner changes the password, which signs the attacker's session out.
  const changed = await laptop.send("POST", "/auth/password/change", {
    currentPassword: PASSWORD,
    newPassword: NEW_PASSWORD,
  });
  expect(changed.status).toBe(204);
  expect((await attacker.send("GET", "/api/me")).status).toBe(401);

  const html = await page();
  const rows = activityRows(html);
  expect(rows.map((row) => [row.type, row.what])).toEqual([
    ["password.changed", "Password changed"],
    ["session.revoked", "Other sessions signed out (password changed)"],
    ["user.signed_in", "Signed in with password"],
    ["user.sign_in_failed", "Sign-in failed (wrong password)"],
    ["user.signed_in", "Signed in with password"],
    ["user.registered", "Account created"],
  ]);
  // From where: the address, and a short name for the browser the owner used.
  expect(rows[0]?.from).toMatch(
    pages.knowsIP === false ? /^—$/ : /^(?:(?:::ffff:)?127\.0\.0\.1|::1)$/,
  );
  expect(rows[0]?.browser).toBe("Firefox on Linux");
  // The attacker's user agent is shown as text: escaped, never markup.
  expect(rows[3]?.browser).toContain('<script>alert("ua")</script>');
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain("<img src=x");
  expect(html).toContain("&lt;script&gt;alert(");
  // Nothing of the other account: not its browser, not its address, not its failure.
  expect(html).not.toContain(STRANGER_UA);
  expect(html).not.toContain(strangerEmail);

  // Only the last ten, newest first.
  for (let i = 0; i < 5; i++) {
    const again = await laptop.send("POST", "/auth/login", { email, password: NEW_PASSWORD });
    expect(again.status).toBe(200);
  }
  const latest = activityRows(await page()).map((row) => row.type);
  expect(latest).toEqual([
    ...Array(5).fill("user.signed_in"),
    "password.changed",
    "session.revoked",
    "user.signed_in",
    "user.sign_in_failed",
    "user.signed_in",
  ]);

  // And each event was logged as it happened, on one line naming the account, with no password.
  const logged = pages
    .output()
    .split("\n")
    .filter((line) => line.includes("user.sign_in_failed") && line.includes(userId));
  expect(logged, pages.output()).toHaveLength(1);
  expect(logged[0]).toMatch(/security/);
  for (const secret of [PASSWORD, WRONG, NEW_PASSWORD]) {
    expect(pages.output()).not.toContain(secret);
  }
}
