/**
 * The Express starter, walked like a person in headless Chromium: sign up, land on the protected
 * page (screenshot kept in test-artifacts/), the session cookie out of reach of page scripts, add
 * a passkey (DevTools virtual authenticator), sign out, the protected page sends the visitor to
 * sign-in, sign in again with the passkey.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityShown } from "./browser.js";
import {
  PASSWORD,
  ROOT,
  requireBuild,
  SECRET,
  type Starter,
  scratchDir,
  startStarter,
} from "./starter.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const inCI = ![undefined, "", "0", "false"].includes(process.env.CI);
if (!available && !inCI) {
  console.warn(
    `[examples] SKIPPED the Express starter browser test: ${CHROMIUM} is missing (apt-get install chromium); with CI=true it fails instead`,
  );
}

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = join(ROOT, "test-artifacts");

describe.skipIf(!available && !inCI)("examples/express in a browser", () => {
  const scratch = scratchDir();
  const profile = mkdtempSync(join(tmpdir(), "portcullis-chromium-"));
  let starter: Starter;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium`);
    requireBuild("index", "express", "sqlite", "client");
    starter = await startStarter("express", {
      AUTH_SECRET: SECRET,
      DATABASE_PATH: join(scratch.dir, "portcullis.db"),
    });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
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
  });

  afterAll(async () => {
    await context?.close();
    await starter?.stop();
    rmSync(profile, { recursive: true, force: true });
    scratch.remove();
  });

  /** The app's own origin (BASE_URL): passkeys and the CSRF check both insist on it. */
  const at = (path: string) => `${starter.origin}${path}`;

  it("signs up, signs out, is sent to sign-in, and signs back in with a passkey", async () => {
    const email = `browser-${Date.now()}@example.com`;

    await page.goto(at("/sign-up"));
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(at("/account"));
    expect(await page.textContent("#email")).toBe(email);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "express-signed-in.png"), fullPage: true });

    // HttpOnly: the browser holds the session cookie, page scripts cannot read it.
    const cookies = await context.cookies(starter.origin);
    const session = cookies.find((cookie) => cookie.name === "portcullis.session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    expect(await page.evaluate(() => document.cookie)).not.toContain("portcullis.session");

    await page.click('button[data-client="addPasskey"]');
    await page.waitForFunction(() => !document.body.textContent?.includes("No passkeys yet"));
    expect(await page.locator('button[data-client="removePasskey"]').count()).toBe(1);

    await page.click('nav button[data-client="signOut"]');
    await page.waitForURL(at("/"));
    expect((await context.cookies(starter.origin)).map((c) => c.name)).not.toContain(
      "portcullis.session",
    );

    await page.goto(at("/account"));
    expect(new URL(page.url()).pathname).toBe("/sign-in");

    await page.click('button[data-client="passkeySignIn"]');
    await page.waitForURL(at("/account"));
    expect(await page.textContent("#email")).toBe(email);
    expect(await page.textContent("#message")).toBe("");

    // The account page's recent security activity tells the story, newest first.
    expect(await activityShown(page)).toEqual([
      ["user.signed_in", "Signed in with a passkey"],
      ["user.signed_out", "Signed out"],
      ["passkey.added", "Passkey added"],
      ["user.signed_in", "Signed in with password"],
      ["user.registered", "Account created"],
    ]);
    expect(await page.locator("#activity tr[data-event] td[title]").first().textContent()).toBe(
      "Chrome on Linux",
    );
  });
});
