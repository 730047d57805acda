/**
 * One guard behaviour in every framework adapter: the same status (303) and `Cache-Control` for a
 * signed-out visitor, the same `?next=` (the path asked for, through `safeRedirectPath`, kept
 * when `redirectTo` has its own), the same 401 body for APIs, and the same setup-time refusal
 * of a `redirectTo` that leaves the site. Each adapter serves the same three page guards and an
 * API guard on a real server; the answers are compared with one table.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as expressAdapter from "../../adapters/express/index.js";
import * as fastifyAdapter from "../../adapters/fastify/index.js";
import * as honoAdapter from "../../adapters/hono/index.js";
import * as nextAdapter from "../../adapters/next/index.js";
import { type Auth, ConfigError, createAuth } from "../../src/index.js";
import { conformanceAuthOptions } from "./conformance.js";

/** The page guards every app serves, by path prefix; anything else falls to "plain". */
const REDIRECTS = {
  plain: "/sign-in",
  withHash: "/sign-in?from=guard#form",
  ownNext: "/sign-in?next=/account",
} as const;

interface Served {
  baseURL: string;
  close(): Promise<void>;
}

async function listenFetch(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<Served> {
  let server: ReturnType<typeof serve> | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server?.close(() => resolve());
      }),
  };
}

const ok = "ok";

async function expressApp(auth: Auth): Promise<Served> {
  const { requireAuth } = expressAdapter;
  const app = express();
  app.use("/api", requireAuth(auth), (_req, res) => {
    res.send(ok);
  });
  app.use("/hash", requireAuth(auth, { redirectTo: REDIRECTS.withHash }), (_req, res) => {
    res.send(ok);
  });
  app.use("/own", requireAuth(auth, { redirectTo: REDIRECTS.ownNext }), (_req, res) => {
    res.send(ok);
  });
  app.use(requireAuth(auth, { redirectTo: REDIRECTS.plain }), (_req, res) => {
    res.send(ok);
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function fastifyApp(auth: Auth): Promise<Served> {
  const { requireAuth } = fastifyAdapter;
  const app = Fastify();
  const handler = async () => ok;
  app.get("/api/*", { preHandler: requireAuth(auth) }, handler);
  app.get(
    "/hash/*",
    { preHandler: requireAuth(auth, { redirectTo: REDIRECTS.withHash }) },
    handler,
  );
  app.get("/own/*", { preHandler: requireAuth(auth, { redirectTo: REDIRECTS.ownNext }) }, handler);
  app.get("/*", { preHandler: requireAuth(auth, { redirectTo: REDIRECTS.plain }) }, handler);
  const baseURL = await app.listen({ port: 0, host: "127.0.0.1" });
  return { baseURL, close: () => app.close() };
}

function honoApp(auth: Auth): Promise<Served> {
  const { requireAuth } = honoAdapter;
  const app = new Hono();
  app.get("/api/*", requireAuth(auth), (c) => c.text(ok));
  app.get("/hash/*", requireAuth(auth, { redirectTo: REDIRECTS.withHash }), (c) => c.text(ok));
  app.get("/own/*", requireAuth(auth, { redirectTo: REDIRECTS.ownNext }), (c) => c.text(ok));
  app.get("*", requireAuth(auth, { redirectTo: REDIRECTS.plain }), (c) => c.text(ok));
  return listenFetch(app.fetch);
}

/** Route handlers behind `requireAuth`, routed by prefix as Next's file system would. */
function nextApp(auth: Auth): Promise<Served> {
  const guarded = (redirectTo?: string) =>
    nextAdapter.requireAuth(auth, () => new Response(ok), redirectTo ? { redirectTo } : {});
  const routes = {
    api: guarded(),
    hash: guarded(REDIRECTS.withHash),
    own: guarded(REDIRECTS.ownNext),
    plain: guarded(REDIRECTS.plain),
  };
  return listenFetch((request) => {
    const { pathname } = new URL(request.url);
    const prefix = /^\/(api|hash|own)\//.exec(pathname)?.[1] as keyof typeof routes | undefined;
    return routes[prefix ?? "plain"](request, {});
  });
}

/** `proxy.ts` / `middleware.ts`: the edge gate, one per prefix (it has no API-only mode). */
function nextMiddlewareApp(): Promise<Served> {
  const gate = (redirectTo: string) => nextAdapter.authMiddleware({ protect: ["/"], redirectTo });
  const gates = {
    hash: gate(REDIRECTS.withHash),
    own: gate(REDIRECTS.ownNext),
    plain: gate(REDIRECTS.plain),
  };
  return listenFetch(async (request) => {
    const { pathname } = new URL(request.url);
    const prefix = /^\/(hash|own)\//.exec(pathname)?.[1] as keyof typeof gates | undefined;
    return (await gates[prefix ?? "plain"](request)) ?? new Response(ok);
  });
}

const APPS: Record<string, (auth: Auth) => Promise<Served>> = {
  express: expressApp,
  fastify: fastifyApp,
  hono: honoApp,
  next: nextApp,
};

/** What the page guards answer a signed-out visitor, the same in every adapter. */
const PAGE_CASES: [requested: string, location: string][] = [
  ["/private", "/sign-in?next=%2Fprivate"],
  ["/private/x?tab=2&q=a%20b", `/sign-in?next=${encodeURIComponent("/private/x?tab=2&q=a%20b")}`],
  // The pathname `//evil.example/x` is no path on this site: the sign-in page gets "/".
  ["//evil.example/x", "/sign-in?next=%2F"],
  ["//evil.example/x?y=1", "/sign-in?next=%2F"],
  ["/hash/settings", "/sign-in?from=guard&next=%2Fhash%2Fsettings#form"],
  ["/own/settings?tab=2", "/sign-in?next=/account"],
];

interface Answer {
  status: number;
  location: string | null;
  cacheControl: string | null;
  body: string;
}

async function ask(served: Served, path: string, accept = "text/html"): Promise<Answer> {
  const response = await fetch(`${served.baseURL}${path}`, {
    redirect: "manual",
    headers: { accept },
  });
  const location = response.headers.get("location");
  let shown = location;
  if (location !== null) {
    // Next wants absolute redirects: the same path, on the site the request came to.
    const resolved = new URL(location, served.baseURL);
    expect(resolved.origin).toBe(new URL(served.baseURL).origin);
    shown = resolved.pathname + resolved.search + resolved.hash;
  }
  return {
    status: response.status,
    location: shown,
    cacheControl: response.headers.get("cache-control"),
    body: await response.text(),
  };
}

describe("one guard behaviour in every adapter", () => {
  const servers: Record<string, Served> = {};

  beforeAll(async () => {
    for (const [name, start] of Object.entries(APPS)) {
      servers[name] = await start(createAuth(conformanceAuthOptions()));
    }
    servers["next authMiddleware"] = await nextMiddlewareApp();
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((served) => served.close()));
  });

  it.each(PAGE_CASES)("GET %s: 303 to %s, never cached", async (requested, location) => {
    for (const [name, served] of Object.entries(servers)) {
      const answer = await ask(served, requested);
      expect({ name, ...answer, body: undefined }).toEqual({
        name,
        status: 303,
        location,
        cacheControl: "no-store",
        body: undefined,
      });
    }
  });

  it("answers an API request 401 with the same body and headers", async () => {
    const answers = new Set<string>();
    for (const name of Object.keys(APPS)) {
      const answer = await ask(servers[name] as Served, "/api/me", "application/json");
      expect(answer.status, name).toBe(401);
      expect(answer.cacheControl, name).toBe("no-store");
      answers.add(answer.body);
    }
    expect([...answers]).toHaveLength(1);
    expect(JSON.parse([...answers][0] as string)).toEqual({
      error: { code: "unauthenticated", message: expect.any(String) },
    });
  });

  it("refuses the same redirectTo values at setup, with the same ConfigError", () => {
    const auth = createAuth(conformanceAuthOptions());
    const guards: Record<string, (redirectTo: string) => unknown> = {
      express: (redirectTo) => expressAdapter.requireAuth(auth, { redirectTo }),
      fastify: (redirectTo) => fastifyAdapter.requireAuth(auth, { redirectTo }),
      hono: (redirectTo) => honoAdapter.requireAuth(auth, { redirectTo }),
      next: (redirectTo) => nextAdapter.requireAuth(auth, () => new Response(), { redirectTo }),
    };
    for (const redirectTo of [
      "https://evil.example/sign-in",
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/%09/evil.example",
      "/%5Cevil.example",
      "/.//evil.example",
      "sign-in",
      "",
    ]) {
      for (const [name, guard] of Object.entries(guards)) {
        expect(() => guard(redirectTo), `${name} ${redirectTo}`).toThrow(ConfigError);
        expect(() => guard(redirectTo), `${name} ${redirectTo}`).toThrow(
          'requireAuth: redirectTo must be a path on this site, like "/sign-in"',
        );
      }
      expect(() => nextAdapter.authMiddleware({ protect: ["/"], redirectTo })).toThrow(
        'authMiddleware: redirectTo must be a path on this site, like "/sign-in"',
      );
    }
  });

  it("refuses at setup a guard given no instance, in every adapter", () => {
    for (const guard of [
      () => expressAdapter.requireAuth(undefined as never),
      () => expressAdapter.withAuth({} as never),
      () => fastifyAdapter.requireAuth(undefined as never),
      () => fastifyAdapter.withAuth(null as never),
      () => honoAdapter.requireAuth(undefined as never),
      () => honoAdapter.withAuth({} as never),
      () => nextAdapter.requireAuth(undefined as never, () => new Response()),
    ]) {
      expect(guard).toThrow(/takes the result of createAuth\(\)/);
    }
  });
});

describe("one name for mounting: authHandler", () => {
  it("is exported by every adapter; the old names are the same functions, deprecated", () => {
    for (const adapter of [expressAdapter, fastifyAdapter, honoAdapter, nextAdapter]) {
      expect(typeof adapter.authHandler).toBe("function");
      expect(typeof adapter.requireAuth).toBe("function");
    }
    expect(honoAdapter.honoAuth).toBe(honoAdapter.authHandler);
    expect(nextAdapter.toNextHandler).toBe(nextAdapter.authHandler);
    // Fastify's old name is the plugin itself, registered with `{ auth }`.
    expect(typeof fastifyAdapter.fastifyAuth).toBe("function");
  });

  it("serves the auth routes in each adapter under the new name", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const health = (base: string) => fetch(`${base}/auth/health`).then((r) => r.status);

    const expressServer = express().use(expressAdapter.authHandler(auth)).listen(0, "127.0.0.1");
    await new Promise((resolve) => expressServer.once("listening", resolve));
    const expressPort = (expressServer.address() as AddressInfo).port;
    expect(await health(`http://127.0.0.1:${expressPort}`)).toBe(200);
    await new Promise((resolve) => expressServer.close(resolve));

    const fastify = Fastify();
    await fastify.register(fastifyAdapter.authHandler(auth));
    expect(await health(await fastify.listen({ port: 0, host: "127.0.0.1" }))).toBe(200);
    await fastify.close();

    const hono = new Hono();
    hono.on(honoAdapter.AUTH_METHODS, "/auth/*", honoAdapter.authHandler(auth));
    expect((await hono.fetch(new Request("http://localhost:3000/auth/health"))).status).toBe(200);

    const { GET } = nextAdapter.authHandler(auth);
    expect((await GET(new Request("http://localhost:3000/auth/health"))).status).toBe(200);
  });
});
