/**
 * CI builds the Next.js starter with `next build`, serves it with `next start` and walks it over
 * HTTP. The build is the slow part (about half a minute on two cores), done once for the file.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { activityOverHTTP } from "./activity-walk.js";
import { HOSTILE_NEXT } from "./browser.js";
import { sharedStarterWalks } from "./browser-walks.js";
import {
  browser,
  databasePath,
  ORIGIN,
  PASSWORD,
  ROOT,
  type Running,
  requireBuild,
  start,
  walk,
} from "./hono-nextjs-walk.js";

const NEXT = `${ROOT}node_modules/next/dist/bin/next`;
const EXAMPLE = "examples/nextjs";

let app: Running | undefined;
let baseURL = "";

beforeAll(async () => {
  requireBuild("index.js", "next.js", "sqlite.js", "client.js");
  const build = spawnSync(process.execPath, [NEXT, "build", EXAMPLE], {
    cwd: ROOT,
    // Vitest sets BASE_URL="/" (Vite's base path); the example would take it for its origin.
    env: {
      ...process.env,
      BASE_URL: "",
      DATABASE_PATH: databasePath(),
      NEXT_TELEMETRY_DISABLED: "1",
    },
    encoding: "utf8",
    timeout: 240_000,
  });
  if (build.status !== 0) {
    throw new Error(`next build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  app = await start(process.execPath, [NEXT, "start", EXAMPLE, "-p", "0", "-H", "127.0.0.1"], {
    env: {
      BASE_URL: ORIGIN,
      AUTH_SECRET: "ci-secret-that-is-at-least-32-bytes-long",
      DATABASE_PATH: databasePath(),
    },
    listening: /Local:\s+http:\/\/127\.0\.0\.1:(\d+)/,
    timeoutMs: 30_000,
  });
  baseURL = app.baseURL;
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

it("walks sign-up, protected page and API, sign-out, sign-in and a magic link on next start", async () => {
  await walk(baseURL, ORIGIN, { protectedPage: "/dashboard", output: () => app?.output() ?? "" });
});

it("lists the account's own recent security activity, escaped, and logs each event", async () => {
  // Route handlers get no socket address from Next: the starter records none (the page says "—").
  await activityOverHTTP(baseURL, ORIGIN, {
    protectedPage: "/dashboard",
    output: () => app?.output() ?? "",
    knowsIP: false,
  });
});

it("the page checks the session itself: a revoked session's cookie passes the proxy but not the page", async () => {
  const user = browser(baseURL, ORIGIN);
  const email = `revoked-${Date.now()}@example.com`;
  expect((await user.send("POST", "/auth/register", { email, password: PASSWORD })).status).toBe(
    201,
  );
  const cookie = user.cookie;
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const page = await fetch(`${baseURL}/dashboard`, {
    headers: { cookie, accept: "text/html" },
    redirect: "manual",
  });
  expect([302, 303, 307]).toContain(page.status);
  expect(new URL(page.headers.get("location") ?? "", baseURL).pathname).toBe("/sign-in");
  expect((await fetch(`${baseURL}/api/me`, { headers: { cookie } })).status).toBe(401);
});

it("the proxy answers an API request without a cookie 401 in the error shape", async () => {
  const response = await fetch(`${baseURL}/api/me`);
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({
    error: { code: "unauthenticated", message: expect.any(String) },
  });
});

it("serves the auth routes with the library's security headers through Next", async () => {
  const response = await fetch(`${baseURL}/auth/session`);
  expect(response.status).toBe(401);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
});

it("hands the sign-in form ?next= only as a path on this site", async () => {
  // The `next` prop the server component gives the client form, as serialised into the page.
  // (Next also echoes the request's own query in its router state, so the page as a whole may
  // mention evil.example; what matters is the value the form navigates to.)
  const nextProps = async (path: string) => {
    const html = await (
      await fetch(`${baseURL}${path}`, { headers: { accept: "text/html" } })
    ).text();
    return [...html.matchAll(/\\*"next\\*":\\*"([^"\\]*)\\*"/g)].map((match) => match[1]);
  };
  for (const form of ["/sign-in", "/sign-up"]) {
    expect(await nextProps(`${form}?next=/dashboard%3Ftab%3D2`), form).toEqual([
      "/dashboard?tab=2",
    ]);
    for (const next of [...HOSTILE_NEXT, "//evil.example", "https://evil.example"]) {
      expect(
        await nextProps(`${form}?next=${encodeURIComponent(next)}`),
        `${form} ${next}`,
      ).toEqual(["/dashboard"]);
    }
  }
});

sharedStarterWalks(() => ({ baseURL, output: () => app?.output() ?? "" }));
