import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthConfig, createAuth, memoryStorage } from "../../../src/index.js";
import { fastHasher, PASSWORD } from "../../helpers.js";
import { startTestServer, type TestServer } from "./server.js";

/*
 * The real path: headless Chromium, the DevTools virtual authenticator (CTAP2, platform,
 * resident keys, user verification), @simplewebauthn/browser in a page, Portcullis behind it.
 */

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const inCI = ![undefined, "", "0", "false"].includes(process.env.CI);
if (!available && !inCI) {
  console.warn(
    `[passkeys] SKIPPED the browser test: ${CHROMIUM} is missing (apt-get install chromium); in CI it fails instead`,
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

interface Browser {
  context: BrowserContext;
  page: Page;
  authenticatorId: string;
  close(): Promise<void>;
}

async function openBrowser(origin: string, isUserVerified = true): Promise<Browser> {
  if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium`);
  const profile = mkdtempSync(join(tmpdir(), "portcullis-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(`${origin}/`);
  return {
    context,
    page,
    authenticatorId,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

type Answer = { status: number; body: any };

function inPage(page: Page) {
  return {
    registerAccount: (email: string) =>
      page.evaluate(([e, p]) => (window as any).registerAccount(e, p) as Promise<Answer>, [
        email,
        PASSWORD,
      ] as const),
    addPasskey: (name: string) =>
      page.evaluate((n) => (window as any).addPasskey(n) as Promise<Answer>, name),
    signOut: () => page.evaluate(() => (window as any).signOut() as Promise<Answer>),
    session: () => page.evaluate(() => (window as any).session() as Promise<Answer>),
    listPasskeys: () => page.evaluate(() => (window as any).listPasskeys() as Promise<Answer>),
    signInWithPasskey: (tamper?: Record<string, unknown>) =>
      page.evaluate((t) => (window as any).signInWithPasskey(t) as Promise<Answer>, tamper),
  };
}

async function serve(passkey: AuthConfig["passkey"] = {}) {
  return startTestServer((port) =>
    createAuth({
      baseURL: `http://localhost:${port}`,
      secret: "test-secret-that-is-at-least-32-bytes-long",
      storage: memoryStorage(),
      passwordHasher: fastHasher,
      passkey,
    }),
  );
}

describe.skipIf(!available && !inCI)("passkeys in headless Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await serve();
    browser = await openBrowser(`http://localhost:${server.port}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("registers, adds a passkey, signs out, and signs back in with it without typing an email", async () => {
    const page = inPage(browser.page);
    expect((await page.registerAccount("ada@example.com")).status).toBe(201);

    const added = await page.addPasskey("Virtual authenticator");
    expect(added.status).toBe(201);
    expect(added.body.passkey).toMatchObject({ name: "Virtual authenticator" });
    expect((await page.listPasskeys()).body.passkeys).toHaveLength(1);

    expect((await page.signOut()).status).toBe(204);
    expect((await page.session()).status).toBe(401);

    const signedIn = await page.signInWithPasskey();
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.email).toBe("ada@example.com");

    const session = await page.session();
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe("ada@example.com");
    const [passkey] = (await page.listPasskeys()).body.passkeys;
    expect(passkey.lastUsedAt).not.toBeNull();
  });
});

describe.skipIf(!available && !inCI)(
  "passkeys in headless Chromium, user verification required",
  () => {
    let server: TestServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await serve({ userVerification: "required" });
      browser = await openBrowser(`http://localhost:${server.port}`);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("refuses a sign-in from an authenticator that did not verify the user", async () => {
      const page = inPage(browser.page);
      expect((await page.registerAccount("ada@example.com")).status).toBe(201);
      expect((await page.addPasskey("Laptop")).status).toBe(201);
      expect((await page.signOut()).status).toBe(204);

      const cdp = await browser.context.newCDPSession(browser.page);
      await cdp.send("WebAuthn.setUserVerified", {
        authenticatorId: browser.authenticatorId,
        isUserVerified: false,
      });
      // A client that lowers the requirement still gets an assertion without the UV flag: the
      // server must be the one to refuse it.
      const attempt = await page.signInWithPasskey({ userVerification: "discouraged" });
      expect(attempt.status).toBe(401);
      expect((await page.session()).status).toBe(401);
    });
  },
);
