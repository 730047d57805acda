/**
 * Headless Chromium for the starter checks that only a browser can make: where `location.assign`
 * really goes. Without /usr/bin/chromium the checks are skipped with a warning, unless CI is set,
 * where they fail instead (as in express-browser.test.ts).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const inCI = ![undefined, "", "0", "false"].includes(process.env.CI);

/** True when the browser checks cannot run here and may be skipped (never in CI). */
export const skipBrowser = !available && !inCI;
if (skipBrowser) {
  console.warn(
    `[examples] SKIPPED the starters' browser checks: ${CHROMIUM} is missing (apt-get install chromium); with CI=true they fail instead`,
  );
}

/** The query values an attacker puts in a sign-in link, raw: the browser decodes them once. */
export const HOSTILE_NEXT = ["/%09/evil.example", "/%5Cevil.example"];

/** What answers for the attacker's host: a page that says so, instead of a DNS error. */
const EVIL = /^https?:\/\/evil\.example(?::\d+)?\//;

export interface Browser {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium. `mapOrigin` points the configured origin (e.g. http://localhost:3000, which
 * the app's CSRF check trusts) at where the app really listens (127.0.0.1:<port>), so the page,
 * its `Origin` headers and its cookies all carry the configured origin.
 */
export async function launchBrowser(mapOrigin?: { origin: string; listening: string }) {
  if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium`);
  const profile = mkdtempSync(join(tmpdir(), "portcullis-chromium-"));
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
  if (mapOrigin) {
    args.push(
      `--host-resolver-rules=MAP ${new URL(mapOrigin.origin).host} ${new URL(mapOrigin.listening).host}`,
    );
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
  });
  await context.route(EVIL, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil.example</h1>" }),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  } satisfies Browser;
}

/**
 * Opens `<origin>/sign-in?next=<rawNext>` in a fresh page state, signs in with the form, and
 * asserts the browser ends on the app's own origin at `expectedPath` (the starter's default,
 * since a hostile `next` must be ignored), never on evil.example.
 */
export async function signInWithNext(
  browser: Browser,
  options: {
    origin: string;
    rawNext: string;
    email: string;
    password: string;
    expectedPath: string;
  },
) {
  const { page, context } = browser;
  const { origin, rawNext, email, password, expectedPath } = options;
  await context.clearCookies();
  await page.goto(`${origin}/sign-in?next=${rawNext}`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  // The first form on every starter's sign-in page is the password form.
  await Promise.all([
    page.waitForURL((url) => url.origin !== origin || url.pathname !== "/sign-in"),
    page.locator('form button[type="submit"]').first().click(),
  ]);
  await page.waitForLoadState("load");
  const landed = new URL(page.url());
  expect(landed.href, `?next=${rawNext}`).not.toMatch(EVIL);
  expect(landed.origin, `?next=${rawNext}`).toBe(origin);
  expect(landed.pathname, `?next=${rawNext}`).toBe(expectedPath);
  // And really signed in there: the session cookie is this origin's.
  const cookies = await context.cookies(origin);
  expect(cookies.map((cookie) => cookie.name)).toContain("portcullis.session");
}

/** Registers an account over HTTP (not the page under test), with the app's Origin. */
export async function registerAccount(
  baseURL: string,
  origin: string,
  email: string,
  password: string,
) {
  const response = await fetch(`${baseURL}/auth/register`, {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

/**
 * The link of the newest `type` mail to `email` that the starter's console mailer printed,
 * waiting for the outbox to deliver it.
 */
export async function mailedLink(
  output: () => string,
  type: string,
  email: string,
  timeoutMs = 5_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const printed = output().split(`[portcullis] ${type} mail to ${email}\n`).slice(1).at(-1);
    const link = printed?.match(/^ {2}Link:\s+(\S+)/m)?.[1];
    if (link) return link;
    if (Date.now() > deadline) throw new Error(`no ${type} mail to ${email} in:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the starters' one map of error messages says for the codes the walks meet. */
export const SENTENCES = {
  token_invalid: "That link or code is not valid, or it was already used. Ask for a new one.",
  token_expired: "That link or code has expired. Ask for a new one.",
  wrongCurrentPassword: "Your current password is wrong.",
  generic: "Something went wrong. Please try again.",
  passwordReset: "Your password has been reset. Sign in with the new one.",
};

/**
 * A person who forgot their password, in Chromium: "Forgot password?" on the sign-in page, the
 * emailed link (from the console mailer), a new password, sign-in with it (landing on
 * `signedInPath`); on the account page a wrong current password is called that; the used link
 * opened again says it is used; and a page opened with `?error=` says what it means.
 */
export async function resetPasswordInBrowser(
  browser: Browser,
  options: {
    origin: string;
    email: string;
    newPassword: string;
    output: () => string;
    signedInPath: string;
  },
) {
  const { page, context } = browser;
  const { origin, email, newPassword, output, signedInPath } = options;
  await context.clearCookies();

  await page.goto(`${origin}/sign-in`);
  await Promise.all([
    page.waitForURL(`${origin}/forgot-password`),
    page.getByRole("link", { name: "Forgot password?" }).click(),
  ]);
  await page.fill('input[name="email"]', email);
  await page.locator('form button[type="submit"]').first().click();
  await page.getByText("a reset link is on its way").waitFor();

  const link = await mailedLink(output, "password-reset", email);
  const url = new URL(link);
  expect(url.origin).toBe(origin);
  expect(url.pathname).toBe("/reset-password");
  await page.goto(link);
  await page.fill('input[name="password"]', newPassword);
  await Promise.all([
    page.waitForURL((to) => to.pathname === "/sign-in"),
    page.locator('form button[type="submit"]').first().click(),
  ]);
  await page.getByText(SENTENCES.passwordReset).waitFor();

  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', newPassword);
  await Promise.all([
    page.waitForURL((to) => to.pathname === signedInPath),
    page.locator('form button[type="submit"]').first().click(),
  ]);
  const cookies = await context.cookies(origin);
  expect(cookies.map((cookie) => cookie.name)).toContain("portcullis.session");

  // Changing the password with a wrong current one says exactly that.
  await page.fill('input[name="currentPassword"]', "not my password at all");
  await page.fill('input[name="newPassword"]', "yet another passphrase");
  await page.locator('input[name="currentPassword"]').press("Enter");
  await page.getByText(SENTENCES.wrongCurrentPassword).waitFor();

  // The link again: it was used, and the page says so instead of nothing.
  await page.goto(link);
  await page.fill('input[name="password"]', "a third passphrase here");
  await page.locator('form button[type="submit"]').first().click();
  await page.getByText(SENTENCES.token_invalid).waitFor();
  expect(new URL(page.url()).pathname).toBe("/reset-password");

  // A page reached with ?error= (how a used mail link lands) says what it means, in words.
  await page.goto(`${origin}/sign-in?error=token_expired`);
  await page.getByText(SENTENCES.token_expired).waitFor();
  await page.goto(`${origin}/sign-in?error=%3Cb%3Eowned%3C%2Fb%3E`);
  await page.getByText(SENTENCES.generic).waitFor();
  // Nothing of the query's own text is shown (Playwright's text search skips scripts).
  expect(await page.getByText("owned").count()).toBe(0);
}

/**
 * Passkeys through portcullis/client in a starter's pages, in Chromium with a DevTools virtual
 * authenticator: sign up, "Add a passkey" (named "Laptop" at the prompt), sign out by dropping
 * the cookies, "Sign in with a passkey" lands on `signedInPath` signed in.
 */
export async function passkeyInBrowser(
  browser: Browser,
  options: { origin: string; password: string; signedInPath: string },
) {
  const { page, context } = browser;
  const { origin, password, signedInPath } = options;
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  page.on("dialog", (dialog) => dialog.accept("Laptop"));
  const email = `passkey-${Date.now()}@example.com`;
  await page.goto(`${origin}/sign-up`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([
    page.waitForURL(`${origin}${signedInPath}`),
    page.locator('form button[type="submit"]').first().click(),
  ]);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByText("Laptop").waitFor();

  await context.clearCookies();
  await page.goto(`${origin}/sign-in`);
  await Promise.all([
    page.waitForURL(`${origin}${signedInPath}`),
    page.getByRole("button", { name: "Sign in with a passkey" }).click(),
  ]);
  await page.getByText(email).first().waitFor();

  // The page's recent security activity tells the story, newest first.
  expect(await activityShown(page)).toEqual([
    ["user.signed_in", "Signed in with a passkey"],
    ["passkey.added", "Passkey added"],
    ["user.signed_in", "Signed in with password"],
    ["user.registered", "Account created"],
  ]);
}

/** The rows of a starter's "Recent security activity" table: [event type, what it says]. */
export async function activityShown(page: Page): Promise<[string | null, string | null][]> {
  await page.locator("#activity").waitFor();
  return page
    .locator("#activity tr[data-event]")
    .evaluateAll((rows) =>
      rows.map((row) => [
        row.getAttribute("data-event"),
        row.children[1]?.textContent?.trim() ?? null,
      ]),
    );
}
