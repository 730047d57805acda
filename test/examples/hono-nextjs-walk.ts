/**
 * What the Hono and Next.js starter checks share: booting an example as its own process, and the
 * walk a new user takes through it over HTTP (sign up, protected page and API, sign out, sign in).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const PASSWORD = "correct horse battery staple";
/** The origin the examples are configured with (BASE_URL): what CSRF trusts, whatever the port. */
export const ORIGIN = "http://localhost:3000";

/** The examples import the built package: say so plainly when it has not been built. */
export function requireBuild(...files: string[]) {
  const missing = files.filter((file) => !existsSync(`${ROOT}dist/${file}`));
  if (missing.length > 0) {
    throw new Error(
      `dist/${missing.join(", dist/")} missing: run \`npm run build\` before the example checks`,
    );
  }
}

/** A fresh SQLite file for one example run, so runs never see each other's accounts. */
export function databasePath(): string {
  return join(mkdtempSync(join(tmpdir(), "portcullis-example-")), "auth.db");
}

export interface Running {
  child: ChildProcess;
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  baseURL: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `command` (which listens on a port of its own choosing, port 0, so parallel test files
 * never race for one), reads the port from its output with `listening`, and resolves once
 * `/auth/health` answers there. Rejects with the output when it dies or takes too long.
 */
export async function start(
  command: string,
  args: string[],
  options: { env: Record<string, string>; listening: RegExp; timeoutMs: number },
): Promise<Running> {
  let output = "";
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const running: Running = {
    child,
    baseURL: "",
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited early:\n${output}`);
    const port = options.listening.exec(output)?.[1];
    if (port) {
      running.baseURL = `http://127.0.0.1:${port}`;
      try {
        if ((await fetch(`${running.baseURL}/auth/health`)).ok) return running;
      } catch {
        // not answering yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await running.stop();
  throw new Error(`${command} did not come up in time:\n${output}`);
}

/**
 * A cookie-keeping client for one browser, sending Origin like a browser on the app's origin, and
 * `extraHeaders` (a User-Agent, say) on every request.
 */
export function browser(
  baseURL: string,
  origin: string,
  extraHeaders: Record<string, string> = {},
) {
  let cookie = "";
  return {
    get cookie() {
      return cookie;
    },
    async send(method: string, path: string, body?: unknown, accept = "application/json") {
      const headers: Record<string, string> = { ...extraHeaders, accept };
      if (cookie) headers.cookie = cookie;
      if (method !== "GET") headers.origin = origin;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${baseURL}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
      });
      for (const setCookie of response.headers.getSetCookie()) {
        const [pair] = setCookie.split(";");
        if (!pair?.startsWith("portcullis.session=")) continue;
        cookie = /Max-Age=0/i.test(setCookie) ? "" : pair;
      }
      return response;
    },
  };
}

/**
 * The walk: the protected page and API refuse a stranger; sign-up lands a session that opens
 * both; sign-out closes them; sign-in opens them again.
 */
export async function walk(
  baseURL: string,
  origin: string,
  pages: { protectedPage: string; output: () => string },
) {
  const user = browser(baseURL, origin);
  const email = `walker-${Date.now()}@example.com`;

  const home = await user.send("GET", "/", undefined, "text/html");
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('href="/sign-up"');
  for (const page of ["/sign-up", "/sign-in", "/magic-link", "/forgot-password"]) {
    const response = await user.send("GET", page, undefined, "text/html");
    expect(response.status, page).toBe(200);
    expect(await response.text(), page).toContain("<form");
  }

  const away = await user.send("GET", pages.protectedPage, undefined, "text/html");
  expect([302, 303, 307]).toContain(away.status);
  expect(new URL(away.headers.get("location") ?? "", baseURL).pathname).toBe("/sign-in");
  expect((await user.send("GET", "/api/me")).status).toBe(401);

  const signUp = await user.send("POST", "/auth/register", { email, password: PASSWORD });
  expect(signUp.status).toBe(201);
  expect(user.cookie).toMatch(/^portcullis\.session=/);

  const page = await user.send("GET", pages.protectedPage, undefined, "text/html");
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(email);
  const me = await user.send("GET", "/api/me");
  expect(me.status).toBe(200);
  expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);

  const sessions = await user.send("GET", "/auth/sessions");
  expect(((await sessions.json()) as { sessions: unknown[] }).sessions).toHaveLength(1);

  const staleCookie = user.cookie;
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  expect(user.cookie).toBe("");
  const replay = await fetch(`${baseURL}/api/me`, { headers: { cookie: staleCookie } });
  expect(replay.status).toBe(401);

  const signIn = await user.send("POST", "/auth/login", { email, password: PASSWORD });
  expect(signIn.status).toBe(200);
  expect((await user.send("GET", "/api/me")).status).toBe(200);
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const after = await user.send("GET", pages.protectedPage, undefined, "text/html");
  expect([302, 303, 307]).toContain(after.status);

  // The magic link: requested from the page's route, printed by the console mailer, followed.
  const asked = await user.send("POST", "/auth/magic-link", { email, redirectTo: "/dashboard" });
  expect(asked.status).toBe(202);
  const link = await waitFor(
    () =>
      new RegExp(`${origin}(/auth/magic-link/verify\\?token=[\\w-]+)`).exec(pages.output())?.[1],
  );
  const landed = await user.send("GET", link, undefined, "text/html");
  expect([302, 303]).toContain(landed.status);
  expect(new URL(landed.headers.get("location") ?? "", baseURL).pathname).toBe("/dashboard");
  expect((await user.send("GET", "/api/me")).status).toBe(200);
}

/**
 * A password reset over HTTP: the sign-in page links to /forgot-password, the mailed link goes to
 * the app's /reset-password (the library's default page), which serves the form, and the new
 * password signs in. And a failed mail link's `?error=` on the protected page survives the trip
 * to sign-in for a signed-out visitor.
 */
export async function resetOverHTTP(
  baseURL: string,
  origin: string,
  pages: { protectedPage: string; output: () => string },
) {
  const user = browser(baseURL, origin);
  const email = `reset-${Date.now()}@example.com`;
  expect((await user.send("POST", "/auth/register", { email, password: PASSWORD })).status).toBe(
    201,
  );
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const signIn = await user.send("GET", "/sign-in", undefined, "text/html");
  expect(await signIn.text()).toContain('href="/forgot-password"');
  expect((await user.send("POST", "/auth/password/forgot", { email })).status).toBe(202);

  const link = new URL(
    await waitFor(() => {
      const printed = pages.output().split(`password-reset mail to ${email}\n`)[1];
      return printed?.match(/Link:\s+(\S+)/)?.[1];
    }),
  );
  expect(link.origin).toBe(origin);
  expect(link.pathname).toBe("/reset-password");
  const page = await user.send("GET", `${link.pathname}${link.search}`, undefined, "text/html");
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('name="password"');
  const reset = await user.send("POST", "/auth/password/reset", {
    token: link.searchParams.get("token"),
    password: "a brand new passphrase",
  });
  expect(reset.status).toBe(204);
  const again = await user.send("POST", "/auth/login", {
    email,
    password: "a brand new passphrase",
  });
  expect(again.status).toBe(200);

  const stranger = browser(baseURL, origin);
  const landed = await stranger.send(
    "GET",
    `${pages.protectedPage}?error=token_invalid`,
    undefined,
    "text/html",
  );
  expect([302, 303, 307]).toContain(landed.status);
  const target = new URL(landed.headers.get("location") ?? "", baseURL);
  expect(target.pathname).toBe("/sign-in");
  expect(target.searchParams.get("error")).toBe("token_invalid");
  expect(target.searchParams.get("next")).toBe(pages.protectedPage);
}

async function waitFor<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the console mailer");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
