/**
 * Social sign-in in the Express starter, clicked through in headless Chromium against a real
 * OpenID Provider: oidc-provider on loopback (test/oauth/harness.ts), the starter started with
 * the generic OIDC variables pointing at it. "Sign in with Test IdP" on the sign-in page goes
 * through oidc-provider's own login and consent pages and lands signed in on the account page;
 * a second sign-in goes straight through; an identity whose email belongs to an unverified local
 * account is refused with the starter's sentence and no session; that account then links the
 * identity from its account page, signs in with it, and unlinks it.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../faults/free-port.js";
import { CLIENT_SECRET, startIdp } from "../oauth/harness.js";
import {
  activityShown,
  type Browser,
  launchBrowser,
  registerAccount,
  skipBrowser,
} from "./browser.js";
import {
  PASSWORD,
  ROOT,
  requireBuild,
  SECRET,
  type Starter,
  scratchDir,
  startStarter,
} from "./starter.js";

// A name with markup in it: the pages must show it as text, escaped, wherever it appears.
const PROVIDER = { id: "testidp", name: 'Test IdP <dev> & "co"' };
const ADA = { login: "ada", email: "ada-oauth@example.com" };
const BOB = { login: "bob", email: "bob-oauth@example.com" };
const ARTIFACTS = join(ROOT, "test-artifacts");

describe("examples/express without social sign-in configured", () => {
  const scratch = scratchDir();
  let starter: Starter;

  beforeAll(async () => {
    requireBuild("index", "express", "sqlite", "client");
    // None of the provider variables, whatever this shell has.
    const unset = Object.fromEntries(
      Object.keys(process.env)
        .filter((name) => /^(GOOGLE|GITHUB|MICROSOFT|DISCORD|GITLAB|OIDC)_/.test(name))
        .map((name) => [name, undefined]),
    );
    starter = await startStarter("express", {
      ...unset,
      AUTH_SECRET: SECRET,
      DATABASE_PATH: join(scratch.dir, "portcullis.db"),
    });
  });
  afterAll(async () => {
    await starter?.stop();
    scratch.remove();
  });

  it("shows no provider buttons and serves no social sign-in routes", async () => {
    const visitor = { cookie: "" };
    const registered = await fetch(`${starter.baseURL}/auth/register`, {
      method: "POST",
      headers: { origin: starter.origin, "content-type": "application/json" },
      body: JSON.stringify({ email: `plain-${Date.now()}@example.com`, password: PASSWORD }),
    });
    expect(registered.status).toBe(201);
    visitor.cookie = registered.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    for (const path of ["/sign-in", "/sign-up", "/account"]) {
      const page = await fetch(`${starter.baseURL}${path}`, {
        headers: { cookie: visitor.cookie },
      });
      expect(page.status, path).toBe(200);
      const html = await page.text();
      expect(html, path).not.toContain("/auth/oauth/");
      expect(html, path).not.toContain("Linked accounts");
    }
    const route = await fetch(`${starter.baseURL}/auth/oauth/oidc`, { redirect: "manual" });
    expect(route.status).toBe(404);
  });
});

describe.skipIf(skipBrowser)("examples/express: social sign-in in a browser", () => {
  const scratch = scratchDir();
  let idp: Awaited<ReturnType<typeof startIdp>>;
  let starter: Starter;
  let browser: Browser;
  let page: Page;
  /** The identity provider's pages the browser was shown (200 HTML), as URLs. */
  const idpPages: string[] = [];

  beforeAll(async () => {
    requireBuild("index", "express", "sqlite", "client", "oauth");
    // The IdP's client must know the app's redirect URI before it starts: pick the port first.
    const port = await freePort();
    idp = await startIdp({
      clients: [
        {
          clientId: "portcullis",
          redirectUri: `http://localhost:${port}/auth/oauth/${PROVIDER.id}/callback`,
        },
      ],
      users: {
        [ADA.login]: { email: ADA.email, emailVerified: true, name: "Ada" },
        [BOB.login]: { email: BOB.email, emailVerified: true, name: "Bob" },
      },
    });
    starter = await startStarter(
      "express",
      {
        AUTH_SECRET: SECRET,
        DATABASE_PATH: join(scratch.dir, "portcullis.db"),
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: "portcullis",
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_ID: PROVIDER.id,
        OIDC_NAME: PROVIDER.name,
        OIDC_ALLOW_INSECURE_ISSUER_FOR_DEVELOPMENT: "true",
      },
      port,
    );
    browser = await launchBrowser();
    page = browser.page;
    // oidc-provider's development pages import a web font: nothing to fetch from here.
    await browser.context.route(/fonts\.googleapis\.com/, (route) => route.abort());
    page.on("response", (response) => {
      const url = new URL(response.url());
      const type = response.headers()["content-type"] ?? "";
      if (url.origin === idp.issuer && response.status() === 200 && type.includes("html")) {
        idpPages.push(url.pathname);
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await starter?.stop();
    await idp?.close();
    scratch.remove();
  });

  const at = (path: string) => `${starter.origin}${path}`;
  const sessionCookie = async () =>
    (await browser.context.cookies(starter.origin)).find(
      (cookie) => cookie.name === "portcullis.session",
    );
  const linkedShown = () =>
    page
      .locator("#linked-accounts li")
      .evaluateAll((items) =>
        items.map((item) => item.firstChild?.textContent?.trim().replace(/, linked .*$/, "")),
      );

  /** Clicks "Sign in with Test IdP" on the sign-in page, then oidc-provider's pages as `login`. */
  async function signInAtIdp(login: string) {
    await page.goto(at("/sign-in"));
    await page.getByRole("link", { name: `Sign in with ${PROVIDER.name}` }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', "any password");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
  }

  it("signs up through the provider's login and consent pages and lands on the account page", async () => {
    idpPages.length = 0;
    await signInAtIdp(ADA.login);
    await page.waitForURL(at(`/account?provider=${PROVIDER.id}`));
    expect(await page.textContent("#email")).toBe(ADA.email);
    expect(await page.textContent("#message")).toBe("");
    // The provider's real pages were shown: its login form, then its consent.
    expect(idpPages.filter((path) => path.startsWith("/interaction/"))).toHaveLength(2);

    const session = await sessionCookie();
    expect(session?.httpOnly).toBe(true);
    expect(await linkedShown()).toEqual([`${PROVIDER.name} (${ADA.email})`]);
    expect(await activityShown(page)).toEqual([
      ["user.signed_in", "Signed in with a linked account"],
      ["oauth.linked", "Linked account added"],
      ["user.registered", "Account created"],
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "express-oauth-signed-in.png"), fullPage: true });
  });

  it("signs out, and signs in again straight through the provider", async () => {
    await page.click('nav button[data-client="signOut"]');
    await page.waitForURL(at("/"));
    expect(await sessionCookie()).toBeUndefined();

    idpPages.length = 0;
    await page.goto(at("/sign-in"));
    await page.getByRole("link", { name: `Sign in with ${PROVIDER.name}` }).click();
    await page.waitForURL(at(`/account?provider=${PROVIDER.id}`));
    expect(await page.textContent("#email")).toBe(ADA.email);
    // The provider remembered the person and the consent: no page of its own this time.
    expect(idpPages).toEqual([]);
  });

  it("refuses an identity whose email has an unverified local account: a sentence, no session", async () => {
    await browser.context.clearCookies(); // the app's session and the provider's
    await registerAccount(starter.baseURL, starter.origin, BOB.email, PASSWORD);

    await signInAtIdp(BOB.login);
    // Refused on the way back: the target (/account) sends a signed-out visitor to sign in,
    // keeping the error and the provider for the message.
    await page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.has("error"));
    const landed = new URL(page.url());
    expect(landed.searchParams.get("error")).toBe("account_exists");
    expect(landed.searchParams.get("provider")).toBe(PROVIDER.id);
    await expect
      .poll(() => page.textContent("#message"))
      .toBe(
        `An account with this email already exists. Sign in, then link ${PROVIDER.name} from your account page.`,
      );
    expect(await sessionCookie()).toBeUndefined();

    // A provider the page does not know is never named from the query.
    await page.goto(at("/sign-in?error=account_exists&provider=%3Cb%3Eowned%3C%2Fb%3E"));
    await expect.poll(() => page.textContent("#message")).toContain("link this provider");
    expect(await page.getByText("owned").count()).toBe(0);
  });

  it("links the identity from the account page, signs in with it, shows a refused unlink, and unlinks it", async () => {
    await page.goto(at("/sign-in"));
    await page.fill('input[name="email"]', BOB.email);
    await page.fill('input[name="password"]', PASSWORD);
    await page.locator('form button[type="submit"]').first().click();
    await page.waitForURL(at("/account"));
    expect(await page.getByText("None yet").count()).toBe(1);

    // Signed in a moment ago, so no password is needed (step-up); the provider still has Bob's
    // session from the refused sign-in, so it sends the browser straight back, linked.
    await page.getByRole("button", { name: `Link ${PROVIDER.name}` }).click();
    await page.waitForURL(at(`/account?link=${PROVIDER.id}`));
    expect(await page.textContent("#message")).toBe("");
    expect(await linkedShown()).toEqual([`${PROVIDER.name} (${BOB.email})`]);

    // The identity now signs in Bob's account.
    await page.click('nav button[data-client="signOut"]');
    await page.waitForURL(at("/"));
    await page.goto(at("/sign-in"));
    await page.getByRole("link", { name: `Sign in with ${PROVIDER.name}` }).click();
    await page.waitForURL(at(`/account?provider=${PROVIDER.id}`));
    expect(await page.textContent("#email")).toBe(BOB.email);

    // The library refuses to unlink the last way to sign in (here magic links are on, so it
    // never is): the page says so in words, the identity stays.
    const unlinkRoute = /\/auth\/oauth\/accounts\//;
    await page.route(unlinkRoute, (route) =>
      route.fulfill({
        status: 403,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "forbidden", message: "only way to sign in" } }),
      }),
    );
    await page.getByRole("button", { name: "Unlink" }).click();
    await expect
      .poll(() => page.textContent("#message"))
      .toMatch(/^You cannot unlink your only way to sign in\./);
    await page.unroute(unlinkRoute);

    await page.getByRole("button", { name: "Unlink" }).click();
    await page.getByText("None yet").waitFor();
    expect(await linkedShown()).toEqual([]);
  });
});
