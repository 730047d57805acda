/** CI boots the Hono starter as a user would (tsx, built package) and walks it over HTTP. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { activityOverHTTP } from "./activity-walk.js";
import { HOSTILE_NEXT } from "./browser.js";
import { sharedStarterWalks } from "./browser-walks.js";
import {
  databasePath,
  ORIGIN,
  type Running,
  requireBuild,
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

it("lists the account's own recent security activity, escaped, and logs each event", async () => {
  await activityOverHTTP(baseURL, ORIGIN, {
    protectedPage: "/dashboard",
    output: () => app?.output() ?? "",
  });
});

it("serves the browser scripts the pages load", async () => {
  for (const asset of [
    "/assets/app.js",
    "/assets/messages.js",
    "/assets/portcullis/client.js",
    "/assets/simplewebauthn.js",
    "/assets/two-factor.js",
    "/assets/qrcode-generator.js",
  ]) {
    const response = await fetch(`${baseURL}${asset}`);
    expect(response.status, asset).toBe(200);
    expect(response.headers.get("content-type")).toContain("javascript");
  }
  expect(await (await fetch(`${baseURL}/assets/simplewebauthn.js`)).text()).toContain(
    "SimpleWebAuthnBrowser",
  );
  // qrcode-generator's ES module, which the page draws the QR code of the secret with.
  const qrcode = await (await fetch(`${baseURL}/assets/qrcode-generator.js`)).text();
  expect(qrcode).toContain("export default qrcode");
  expect(qrcode).not.toMatch(/^import\s/m);
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

sharedStarterWalks(() => ({ baseURL, output: () => app?.output() ?? "" }));
