/**
 * `portcullis/next`'s authMiddleware on Next's edge runtime, under `next build` + `next start`.
 * Next 16 runs `proxy.ts` (the starter's) on Node only; the fixture in ./next-edge/ keeps a
 * `middleware.js`, which Next still runs on the edge runtime, and tags each answer with the
 * runtime that made it. The build is the slow part (~25 s warm, a minute cold on two cores).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Running, requireBuild, start } from "../examples/hono-nextjs-walk.js";
import { ROOT } from "./harness.js";

const NEXT = `${ROOT}node_modules/next/dist/bin/next`;
const APP = "test/runtimes/next-edge";
// The fixture's own constants (middleware.js is JavaScript, so it is read, not imported).
const fixture = readFileSync(`${ROOT}${APP}/middleware.js`, "utf8");
const ISSUER = /issuer: "([^"]+)"/.exec(fixture)?.[1] as string;
const SECRET = /secret: "([^"]+)"/.exec(fixture)?.[1] as string;

let app: Running | undefined;
let baseURL = "";

beforeAll(async () => {
  requireBuild("next.js");
  const env = { ...process.env, BASE_URL: "", NEXT_TELEMETRY_DISABLED: "1" };
  const build = spawnSync(process.execPath, [NEXT, "build", APP], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 240_000,
  });
  if (build.status !== 0) {
    throw new Error(`next build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  const manifest = JSON.parse(
    readFileSync(`${ROOT}${APP}/.next/server/middleware-manifest.json`, "utf8"),
  ) as { middleware: Record<string, { files: string[] }> };
  // Built for the edge: its chunks are edge chunks, not a Node function.
  const files = Object.values(manifest.middleware).flatMap((entry) => entry.files);
  if (files.length === 0 || !files.every((file) => file.startsWith("server/edge/"))) {
    throw new Error(`the middleware was not built for the edge runtime: ${files.join(", ")}`);
  }
  app = await start(process.execPath, [NEXT, "start", APP, "-p", "0", "-H", "127.0.0.1"], {
    env: {},
    listening: /Local:\s+http:\/\/127\.0\.0\.1:(\d+)/,
    timeoutMs: 30_000,
  });
  baseURL = app.baseURL;
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${baseURL}${path}`, { headers, redirect: "manual" });

/** An access token as Portcullis mints one (RFC 9068 claims and `sid`), HS256, the fixture's key. */
function accessToken(options: { secret?: string; issuedAt?: number } = {}) {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: "session-id" })
    .setProtectedHeader({ alg: "HS256", kid: "edge-fixture", typ: "at+jwt" })
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setSubject("user-id")
    .setJti("token-id")
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 300)
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

it("runs on the edge runtime, and answers an API call without a credential 401 in the error shape", async () => {
  const response = await get("/api/private");
  expect(response.headers.get("x-middleware-runtime")).toBe("edge (edge-runtime)");
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({
    error: { code: "unauthenticated", message: expect.any(String) },
  });
});

it("sends a page request to sign in, with the path asked for as next=", async () => {
  const response = await get("/protected/deep?tab=2", { accept: "text/html" });
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/sign-in?next=%2Fprotected%2Fdeep%3Ftab%3D2");
});

it("lets a request with a session cookie through to the route (presence only: the route checks it)", async () => {
  const response = await get("/protected", { cookie: "portcullis.session=anything" });
  expect(response.headers.get("x-middleware-runtime")).toBe("edge (edge-runtime)");
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ reached: "protected" });
});

it("verifies a Bearer access token on the edge (jose over WebCrypto), and refuses forged or expired ones", async () => {
  const good = await get("/api/private", { authorization: `Bearer ${await accessToken()}` });
  expect(good.status).toBe(200);
  expect(await good.json()).toEqual({ reached: "api" });

  const forged = await accessToken({ secret: "another-secret-that-is-32-bytes-long!!" });
  expect((await get("/api/private", { authorization: `Bearer ${forged}` })).status).toBe(401);

  const expired = await accessToken({ issuedAt: Math.floor(Date.now() / 1000) - 3600 });
  expect((await get("/api/private", { authorization: `Bearer ${expired}` })).status).toBe(401);
});

it("leaves routes outside `protect` alone", async () => {
  const response = await get("/auth/health");
  expect(response.status).toBe(200);
  expect(response.headers.get("x-middleware-runtime")).toBeNull();
});
