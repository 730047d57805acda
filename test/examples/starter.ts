/**
 * Booting the Express and Fastify starters as their own processes, as `npm start` would (plain
 * `node`, importing the built package through its exports map), and the walk a new user takes
 * through one over HTTP. The examples run from dist/: `.ci/run` builds before testing, and a
 * missing build fails here with the command to run rather than with a resolution error.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityOverHTTP } from "./activity-walk.js";
import {
  HOSTILE_NEXT,
  launchBrowser,
  mailedLink,
  registerAccount,
  resetPasswordInBrowser,
  signInWithNext,
  skipBrowser,
} from "./browser.js";
import { twoFactorInBrowser } from "./two-factor-browser.js";
import { twoFactorOverHTTP } from "./two-factor-walk.js";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const PASSWORD = "correct horse battery staple";
export const SECRET = "ci-secret-that-is-at-least-32-bytes-long";

export function requireBuild(...entries: string[]) {
  const missing = entries.filter((entry) => !existsSync(join(ROOT, "dist", `${entry}.js`)));
  if (missing.length > 0) {
    throw new Error(`dist/${missing.join(".js, dist/")}.js missing: run \`npm run build\` first`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Starter {
  /** Where to send requests: 127.0.0.1, never a name that might resolve to ::1 first. */
  baseURL: string;
  /** The origin the app is configured with (BASE_URL), which the CSRF check trusts. */
  origin: string;
  output(): string;
  stop(): Promise<void>;
}

/** A scratch directory for an example's SQLite file; removed by the returned function. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-example-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `examples/<name>/server.mjs` and resolves once `/auth/ready` answers 200. */
export async function startStarter(
  name: "express" | "fastify",
  env: Record<string, string | undefined>,
  port?: number,
): Promise<Starter> {
  const listenPort = port ?? (await freePort());
  const origin = `http://localhost:${listenPort}`;
  const baseURL = `http://127.0.0.1:${listenPort}`;
  let output = "";
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(listenPort),
    BASE_URL: origin,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child: ChildProcess = spawn(process.execPath, [`examples/${name}/server.mjs`], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`examples/${name} exited with ${child.exitCode}:\n${output}`);
    }
    const ready = await fetch(`${baseURL}/auth/ready`).catch(() => null);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`examples/${name} did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseURL, origin, output: () => output, stop };
}

/** A tiny browser: keeps the session cookie, sends the app's Origin on state-changing calls. */
export function visitor(starter: Starter) {
  let cookie = "";
  async function send(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (method !== "GET") headers.origin = starter.origin;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${starter.baseURL}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const pair = setCookie.split(";")[0] as string;
      cookie = /Max-Age=0/i.test(setCookie) ? "" : pair;
    }
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
  return {
    send,
    get cookie() {
      return cookie;
    },
  };
}

/** Sign up, the protected page and API, sign out (page redirects, API 401), sign in again. */
export async function walk(starter: Starter, email = `walker-${Date.now()}@example.com`) {
  const browser = visitor(starter);

  const home = await browser.send("GET", "/");
  expect(home.status).toBe(200);
  expect(home.text).toContain('href="/sign-up"');
  expect((await browser.send("GET", "/sign-up")).text).toContain('data-client="signUp"');
  const signInPage = (await browser.send("GET", "/sign-in")).text;
  expect(signInPage).toContain('data-client="signIn"');
  expect(signInPage).toContain('href="/forgot-password"');

  const signedUp = await browser.send("POST", "/auth/register", { email, password: PASSWORD });
  expect(signedUp.status, signedUp.text).toBe(201);
  expect(browser.cookie).toMatch(/^portcullis\.session=/);

  const account = await browser.send("GET", "/account");
  expect(account.status).toBe(200);
  expect(account.text).toContain(email);
  expect(account.text).toContain("this browser");
  const me = await browser.send("GET", "/api/me");
  expect(me.status).toBe(200);
  expect(JSON.parse(me.text).user.email).toBe(email);

  expect((await browser.send("POST", "/auth/logout")).status).toBe(204);
  expect(browser.cookie).toBe("");
  const redirected = await browser.send("GET", "/account");
  expect(redirected.status).toBe(303);
  expect(redirected.headers.get("location")).toMatch(/^\/sign-in/);
  const refused = await browser.send("GET", "/api/me");
  expect(refused.status).toBe(401);
  expect(JSON.parse(refused.text).error.code).toBe("unauthenticated");

  const signedIn = await browser.send("POST", "/auth/login", { email, password: PASSWORD });
  expect(signedIn.status).toBe(200);
  expect((await browser.send("GET", "/api/me")).status).toBe(200);
  return browser;
}

/** The checks every Node starter passes: boot, the walk, magic link, sessions, assets, SQLite. */
export function describeStarter(name: "express" | "fastify") {
  describe(`examples/${name}`, () => {
    const scratch = scratchDir();
    const env = { AUTH_SECRET: SECRET, DATABASE_PATH: join(scratch.dir, "portcullis.db") };
    let starter: Starter;

    beforeAll(async () => {
      requireBuild("index", name, "sqlite", "client");
      starter = await startStarter(name, env);
    });
    afterAll(async () => {
      await starter?.stop();
      scratch.remove();
    });

    it("walks sign-up, the protected page and API, sign-out and sign-in", async () => {
      await walk(starter);
    });

    it("signs in with a magic link printed by the console mailer", async () => {
      const email = `magic-${Date.now()}@example.com`;
      await visitor(starter).send("POST", "/auth/register", { email, password: PASSWORD });
      const browser = visitor(starter);
      const requested = await browser.send("POST", "/auth/magic-link", {
        email,
        redirectTo: "/account",
      });
      expect(requested.status).toBe(202);
      let link: string | undefined;
      for (let i = 0; i < 50 && !link; i++) {
        const printed = starter.output().split(`mail to ${email}`)[1];
        link = printed?.match(/Link:\s+(\S+)/)?.[1];
        if (!link) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(link, starter.output()).toBeDefined();
      const url = new URL(link as string);
      const verified = await browser.send("GET", `${url.pathname}${url.search}`);
      expect(verified.status).toBe(302);
      expect(new URL(verified.headers.get("location") ?? "").pathname).toBe("/account");
      const me = await browser.send("GET", "/api/me");
      expect(JSON.parse(me.text).user.email).toBe(email);
    });

    it("lists sessions on the account page and revokes the others", async () => {
      const email = `sessions-${Date.now()}@example.com`;
      const laptop = visitor(starter);
      await laptop.send("POST", "/auth/register", { email, password: PASSWORD });
      const phone = visitor(starter);
      await phone.send("POST", "/auth/login", { email, password: PASSWORD });
      const page = (await laptop.send("GET", "/account")).text;
      expect(page.match(/data-client="revokeSession"/g)).toHaveLength(1);
      expect((await laptop.send("POST", "/auth/sessions/revoke-others")).status).toBe(204);
      expect((await phone.send("GET", "/api/me")).status).toBe(401);
      expect((await laptop.send("GET", "/api/me")).status).toBe(200);
    });

    it("lists the account's own recent security activity, escaped, and logs each event", async () => {
      await activityOverHTTP(starter.baseURL, starter.origin, {
        protectedPage: "/account",
        output: starter.output,
      });
    });

    it("turns on two-factor authentication, then asks every sign-in for the code or a recovery code", async () => {
      await twoFactorOverHTTP(starter.baseURL, starter.origin, {
        protectedPage: "/account",
        output: starter.output,
      });
    });

    it.skipIf(skipBrowser)(
      "sets up two-factor authentication in a browser (QR code, key, recovery codes once), then signs in with a code",
      async () => {
        const browser = await launchBrowser();
        try {
          await twoFactorInBrowser(browser, {
            origin: starter.origin,
            password: PASSWORD,
            output: starter.output,
            signedInPath: "/account",
            screenshot: join(ROOT, "test-artifacts", `${name}-two-factor.png`),
          });
        } finally {
          await browser.close();
        }
      },
      // A longer walk than the others: sign-up, the address, set-up, and two sign-ins.
      60_000,
    );

    it("serves its scripts, portcullis/client, @simplewebauthn/browser's modules, and a strict CSP", async () => {
      for (const path of [
        "/assets/app.js",
        "/assets/messages.js",
        "/assets/portcullis/client.js",
        "/assets/simplewebauthn/index.js",
        "/assets/simplewebauthn/methods/startRegistration.js",
        "/assets/two-factor.js",
        "/assets/qrcode-generator.js",
      ]) {
        const res = await fetch(`${starter.baseURL}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get("content-type"), path).toContain("javascript");
      }
      // The ES module build (the CommonJS one would load, and export nothing to the page).
      const webauthn = await (
        await fetch(`${starter.baseURL}/assets/simplewebauthn/index.js`)
      ).text();
      expect(webauthn).toContain("export * from './methods/startRegistration.js'");
      const app = await (await fetch(`${starter.baseURL}/assets/app.js`)).text();
      expect(app).toContain('from "/assets/portcullis/client.js"');
      // qrcode-generator's ES module, which the page draws the QR code of the secret with.
      const qrcode = await (await fetch(`${starter.baseURL}/assets/qrcode-generator.js`)).text();
      expect(qrcode).toContain("export default qrcode");
      expect(qrcode).not.toMatch(/^import\s/m);
      // The package's own ES module, whole: no chunk imports a browser could not follow.
      const client = await (await fetch(`${starter.baseURL}/assets/portcullis/client.js`)).text();
      expect(client).toContain("function createClient(");
      expect(client).not.toMatch(/^import\s/m);
      const home = await fetch(`${starter.baseURL}/`);
      expect(home.headers.get("content-security-policy")).toContain("script-src 'self'");
    });

    it("serves ?next= to the sign-in page only as a path on this site", async () => {
      const page = (path: string) =>
        fetch(`${starter.baseURL}${path}`).then((response) => response.text());
      expect(await page("/sign-in?next=/account%3Ftab%3D2")).toContain(
        'data-then="go:/account?tab=2"',
      );
      for (const next of [...HOSTILE_NEXT, "//evil.example", "https://evil.example"]) {
        const html = await page(`/sign-in?next=${encodeURIComponent(next)}`);
        expect(html, next).toContain('data-then="go:/account"');
        expect(html, next).not.toContain("evil.example");
      }
      expect(await page("/sign-up?next=/%09/evil.example")).toContain('data-then="go:/account"');
    });

    it.skipIf(skipBrowser)(
      "signs in from /sign-in?next=/%09/evil.example or /%5Cevil.example and stays on the site",
      async () => {
        const email = `next-${Date.now()}@example.com`;
        await registerAccount(starter.baseURL, starter.origin, email, PASSWORD);
        const browser = await launchBrowser();
        try {
          for (const rawNext of HOSTILE_NEXT) {
            await signInWithNext(browser, {
              origin: starter.origin,
              rawNext,
              email,
              password: PASSWORD,
              expectedPath: "/account",
            });
          }
        } finally {
          await browser.close();
        }
      },
    );

    it("has the pages a password reset needs, and keeps a failed link's ?error= for sign-in", async () => {
      const email = `reset-${Date.now()}@example.com`;
      await visitor(starter).send("POST", "/auth/register", { email, password: PASSWORD });
      const browser = visitor(starter);
      const forgotPage = await browser.send("GET", "/forgot-password");
      expect(forgotPage.status).toBe(200);
      expect(forgotPage.text).toContain('data-client="forgotPassword"');
      expect((await browser.send("POST", "/auth/password/forgot", { email })).status).toBe(202);

      // The mailed link goes to this app's /reset-password (the library's default page), which
      // puts the token, escaped, in the form that sets the new password.
      const link = new URL(await mailedLink(starter.output, "password-reset", email));
      expect(link.pathname).toBe("/reset-password");
      const token = link.searchParams.get("token") as string;
      const resetPage = await browser.send("GET", `${link.pathname}${link.search}`);
      expect(resetPage.status).toBe(200);
      expect(resetPage.headers.get("cache-control")).toBe("no-store");
      expect(resetPage.text).toContain('data-client="resetPassword"');
      expect(resetPage.text).toContain(`name="token" value="${token}"`);
      const hostile = await browser.send(
        "GET",
        `/reset-password?token=${encodeURIComponent('"><script>x</script>')}`,
      );
      expect(hostile.text).not.toContain("<script>x");
      expect((await browser.send("GET", "/reset-password")).text).toContain(
        'href="/forgot-password"',
      );

      const reset = await browser.send("POST", "/auth/password/reset", {
        token,
        password: "a brand new passphrase",
      });
      expect(reset.status).toBe(204);
      const signedIn = await browser.send("POST", "/auth/login", {
        email,
        password: "a brand new passphrase",
      });
      expect(signedIn.status).toBe(200);

      // A used magic link lands on /account?error=token_invalid: signed out, the visitor goes to
      // sign-in with the error kept; signed in, the page itself shows it.
      const stranger = await visitor(starter).send("GET", "/account?error=token_invalid");
      expect(stranger.status).toBe(303);
      expect(stranger.headers.get("location")).toBe("/sign-in?next=/account&error=token_invalid");
      expect((await browser.send("GET", "/account?error=token_invalid")).status).toBe(200);
    });

    it.skipIf(skipBrowser)(
      "resets a forgotten password in a browser, and says so when the link is used again",
      async () => {
        const email = `forgot-${Date.now()}@example.com`;
        await registerAccount(starter.baseURL, starter.origin, email, PASSWORD);
        const browser = await launchBrowser();
        try {
          await resetPasswordInBrowser(browser, {
            origin: starter.origin,
            email,
            newPassword: "a brand new passphrase",
            output: starter.output,
            signedInPath: "/account",
          });
        } finally {
          await browser.close();
        }
      },
    );

    it("refuses to start in production without AUTH_SECRET instead of using the default", async () => {
      await expect(
        startStarter(name, { ...env, NODE_ENV: "production", AUTH_SECRET: undefined }),
      ).rejects.toThrow(/AUTH_SECRET must be set when NODE_ENV=production/);
    });

    it("keeps accounts in its SQLite file across restarts, and warns about a missing secret", async () => {
      const email = `durable-${Date.now()}@example.com`;
      await visitor(starter).send("POST", "/auth/register", { email, password: PASSWORD });
      expect(starter.output()).not.toContain("AUTH_SECRET is not set");
      const port = Number(new URL(starter.baseURL).port);
      await starter.stop();
      starter = await startStarter(name, { ...env, AUTH_SECRET: undefined }, port);
      expect(starter.output()).toContain("AUTH_SECRET is not set");
      const browser = visitor(starter);
      const signedIn = await browser.send("POST", "/auth/login", { email, password: PASSWORD });
      expect(signedIn.status).toBe(200);
    });
  });
}
