/**
 * The page guards of the Express and Next.js adapters send visitors only to paths on this site:
 * `redirectTo` is checked at setup with `safeRedirectPath`'s rules, and the `?next=` the Next.js
 * guards add is a path the helper accepts, even for `GET //evil.example/x`. (Hono's guard is
 * covered in hono.test.ts, Fastify's in fastify.test.ts.)
 */
import express from "express";
import { describe, expect, it } from "vitest";
import { requireAuth as expressRequireAuth } from "../../adapters/express/index.js";
import { authMiddleware, requireAuth as nextRequireAuth } from "../../adapters/next/index.js";
import { createAuth } from "../../src/index.js";
import { sitePath } from "../../src/util/safe-path.js";
import { conformanceAuthOptions } from "./conformance.js";

const LOOK_ALIKES = [
  "https://evil.example",
  "//evil.example",
  "/\\evil.example",
  "/\t/evil.example",
  "/%09/evil.example",
  "/%5Cevil.example",
  "/.//evil.example",
];

describe("express requireAuth", () => {
  it("refuses at setup a redirectTo that is not a path on this site", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const redirectTo of LOOK_ALIKES) {
      expect(() => expressRequireAuth(auth, { redirectTo }), redirectTo).toThrow(
        /path on this site/,
      );
    }
    expect(() => expressRequireAuth(auth, { redirectTo: "/sign-in?next=/account" })).not.toThrow();
  });

  it("redirects to the path as given", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = express();
    app.get(
      "/account",
      expressRequireAuth(auth, { redirectTo: "/sign-in?next=/account" }),
      () => {},
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/account`, { redirect: "manual" });
    await new Promise((resolve) => server.close(resolve));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?next=/account");
  });
});

describe("next guards", () => {
  const SITE = "https://app.example.com";

  /** The `next` a guard's redirect carries, checked to stay on the site. */
  function nextOf(response: Response | undefined): string {
    expect(response?.status).toBe(303);
    const location = new URL(response?.headers.get("location") ?? "");
    expect(location.origin).toBe(SITE);
    expect(location.pathname).toBe("/sign-in");
    const next = location.searchParams.get("next") as string;
    expect(sitePath(next), next).toBe(next);
    expect(new URL(next, `${SITE}/sign-in`).origin).toBe(SITE);
    return next;
  }

  it("requireAuth: GET //evil.example/x gets a ?next= on this site", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const guarded = nextRequireAuth(auth, () => new Response("ok"), { redirectTo: "/sign-in" });
    expect(nextOf(await guarded(new Request(`${SITE}//evil.example/x`), {}))).toBe("/");
    expect(nextOf(await guarded(new Request(`${SITE}/a?b=1`), {}))).toBe("/a?b=1");
  });

  it("authMiddleware: the same, for a prefix that matches everything", async () => {
    const gate = authMiddleware({ protect: ["/"], redirectTo: "/sign-in" });
    const page = (path: string) =>
      gate(new Request(`${SITE}${path}`, { headers: { accept: "text/html" } }));
    expect(nextOf(await page("//evil.example/x"))).toBe("/");
    expect(nextOf(await page("/dashboard?tab=2"))).toBe("/dashboard?tab=2");
  });

  it("refuses at setup a redirectTo that is not a path on this site", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const redirectTo of LOOK_ALIKES) {
      expect(() => nextRequireAuth(auth, () => new Response(), { redirectTo }), redirectTo).toThrow(
        /path/,
      );
      expect(() => authMiddleware({ protect: ["/"], redirectTo }), redirectTo).toThrow(/path/);
    }
  });
});
