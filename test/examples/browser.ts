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
