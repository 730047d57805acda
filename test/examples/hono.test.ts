/** CI boots the Hono starter as a user would (tsx, built package) and walks it over HTTP. */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  HOSTILE_NEXT,
  launchBrowser,
  passkeyInBrowser,
  registerAccount,
  resetPasswordInBrowser,
  signInWithNext,
  skipBrowser,
} from "./browser.js";
import {
  databasePath,
  ORIGIN,
  PASSWORD,
  type Running,
  requireBuild,
  resetOverHTTP,
  start,
  walk,
} from "./hono-nextjs-walk.js";

let app: Running | undefined;
let baseURL = "";

beforeAll(async () => {
  requireBuild("index.js", "hono.js", "sqlite.js", "client.js");
  app = await start(process.execPath, ["--import", "tsx", "examples/hono/server.ts"], {
    env: {
      PORT: "0",
      BASE_URL: ORIGIN,
      AUTH_SECRET: "ci-secret-that-is-at-least-32-bytes-long",
      DATABASE_PATH: databasePath(),
    },
    listening: /example on http:\/\/localhost:(\d+)/,
    timeoutMs: 30_000,
  });
  baseURL = app.baseURL;
});

afterAll(async () => {
  await app?.stop();
});

it("walks sign-up, protected page and API, sign-out, sign-in and a magic link", async () => {
  await walk(baseURL, ORIGIN, { protectedPage: "/dashboard", output: () => app?.output() ?? "" });
});

it("serves the browser scripts the pages load", async () => {
  for (const asset of [
    "/assets/app.js",
    "/assets/messages.js",
    "/assets/portcullis/client.js",
    "/assets/simplewebauthn.js",
  ]) {
    const response = await fetch(`${baseURL}${asset}`);
    expect(response.status, asset).toBe(200);
    expect(response.headers.get("content-type")).toContain("javascript");
  }
  expect(await (await fetch(`${baseURL}/assets/simplewebauthn.js`)).text()).toContain(
    "SimpleWebAuthnBrowser",
  );
});

it("warns about nothing it was given: the configured secret and URL are used", () => {
  expect(app?.output()).not.toContain("AUTH_SECRET is not set");
  expect(app?.output()).not.toContain("BASE_URL is not set");
});

it("hands the sign-in page ?next= only as a path on this site", async () => {
  const page = (path: string) =>
    fetch(`${baseURL}${path}`, { headers: { accept: "text/html" } }).then((r) => r.text());
  expect(await page("/sign-in?next=/dashboard%3Ftab%3D2")).toContain("/dashboard?tab=2");
  for (const next of [...HOSTILE_NEXT, "//evil.example", "https://evil.example"]) {
    expect(await page(`/sign-in?next=${encodeURIComponent(next)}`), next).not.toContain(
      "evil.example",
    );
  }
});

it.skipIf(skipBrowser)(
  "signs in from /sign-in?next=/%09/evil.example or /%5Cevil.example and stays on the site",
  async () => {
    const email = `next-${Date.now()}@example.com`;
    await registerAccount(baseURL, ORIGIN, email, PASSWORD);
    // The browser uses the configured origin (CSRF trusts it), resolved to where the app listens.
    const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
    try {
      for (const rawNext of HOSTILE_NEXT) {
        await signInWithNext(browser, {
          origin: ORIGIN,
          rawNext,
          email,
          password: PASSWORD,
          expectedPath: "/dashboard",
        });
      }
    } finally {
      await browser.close();
    }
  },
);

it("resets a forgotten password over HTTP, and keeps a failed link's ?error= for sign-in", async () => {
  await resetOverHTTP(baseURL, ORIGIN, {
    protectedPage: "/dashboard",
    output: () => app?.output() ?? "",
  });
});

it.skipIf(skipBrowser)(
  "resets a forgotten password in a browser, and says so when the link is used again",
  async () => {
    const email = `forgot-${Date.now()}@example.com`;
    await registerAccount(baseURL, ORIGIN, email, PASSWORD);
    const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
    try {
      await resetPasswordInBrowser(browser, {
        origin: ORIGIN,
        email,
        newPassword: "a brand new passphrase",
        output: () => app?.output() ?? "",
        signedInPath: "/dashboard",
      });
    } finally {
      await browser.close();
    }
  },
);

it.skipIf(skipBrowser)("adds a passkey and signs in with it, in a browser", async () => {
  const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
  try {
    await passkeyInBrowser(browser, {
      origin: ORIGIN,
      password: PASSWORD,
      signedInPath: "/dashboard",
    });
  } finally {
    await browser.close();
  }
});
