/**
 * `portcullis/next` through a real HTTP server: @hono/node-server turns each Node request into the
 * Web `Request` a Next route handler receives and writes back the `Response` it returns, the same
 * contract Next's own server keeps. `next/headers` is replaced by a stand-in that answers the
 * current request's headers, as Next does inside a request. The real `next build` + `next start`
 * runs in test/examples/nextjs.test.ts.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { authMiddleware, getAuth, requireAuth, toNextHandler } from "../../adapters/next/index.js";
import { type Auth, createAuth } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import {
  CONFORMANCE_ORIGIN,
  type ConformanceServer,
  conformanceAuthOptions,
  httpConformance,
} from "./conformance.js";

const currentRequest = new AsyncLocalStorage<Request>();
vi.mock("next/headers", () => ({
  headers: async () => {
    const request = currentRequest.getStore();
    if (!request) throw new Error("headers() was called outside a request scope");
    return request.headers;
  },
}));

type Route = (request: Request, context: unknown) => Promise<Response>;

const echo: Route = async (request) => Response.json({ body: await request.json() });

/** The conformance app as a Next app would have it: route files, a route guard, getAuth. */
function conformanceRoutes(auth: Auth): (request: Request) => Promise<Response> {
  const authRoutes = toNextHandler(auth, { getClientIP: () => "127.0.0.1" });
  const getSession = getAuth(auth);
  const routes: Record<string, Partial<Record<string, Route>>> = {
    "/api/me": {
      GET: requireAuth(auth, async () => {
        // The guard let the request in; the user comes from getAuth(), as a server component reads it.
        const session = await getSession();
        return Response.json({ user: session?.user });
      }),
    },
    "/api/echo": { POST: echo },
    "/private": {
      GET: requireAuth(auth, () => new Response("private"), { redirectTo: "/sign-in" }),
    },
  };
  return (request) =>
    currentRequest.run(request, () => {
      const { pathname } = new URL(request.url);
      const method = request.method as keyof typeof authRoutes;
      if (pathname === "/auth" || pathname.startsWith("/auth/")) {
        const handler = authRoutes[method];
        return handler ? handler(request) : Promise.resolve(new Response(null, { status: 405 }));
      }
      const route = routes[pathname]?.[request.method];
      return route
        ? route(request, { params: Promise.resolve({}) })
        : Promise.resolve(new Response(null, { status: 404 }));
    });
}

async function listen(fetch: (request: Request) => Promise<Response>): Promise<ConformanceServer> {
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

httpConformance(
  "next route handlers (toNextHandler, requireAuth, getAuth)",
  () => listen(conformanceRoutes(createAuth(conformanceAuthOptions()))),
  { pageGuard: true },
);

async function signedIn(auth: Auth) {
  const { GET, POST } = toNextHandler(auth);
  const response = await POST(
    new Request("http://localhost:3000/auth/register", {
      method: "POST",
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
    }),
  );
  expect(response.status).toBe(201);
  const cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
  return { cookie, token: cookie.split("=")[1] as string, GET };
}

describe("toNextHandler", () => {
  it("gives one handler per method, each serving every auth route", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const handlers = toNextHandler(auth);
    expect(Object.keys(handlers).sort()).toEqual(["DELETE", "GET", "OPTIONS", "PATCH", "POST"]);
    const { cookie, GET } = await signedIn(auth);
    const session = await GET(
      new Request("http://localhost:3000/auth/session", { headers: { cookie } }),
    );
    expect(session.status).toBe(200);
  });

  it("records the address getClientIP reports on the session", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const { POST, GET } = toNextHandler(auth, { getClientIP: (r) => r.headers.get("x-real-ip") });
    const response = await POST(
      new Request("http://localhost:3000/auth/register", {
        method: "POST",
        headers: {
          origin: CONFORMANCE_ORIGIN,
          "content-type": "application/json",
          "x-real-ip": "198.51.100.4",
        },
        body: JSON.stringify({ email: "ip@example.com", password: PASSWORD }),
      }),
    );
    const cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const session = await GET(
      new Request("http://localhost:3000/auth/session", { headers: { cookie } }),
    );
    expect(((await session.json()) as any).session.ip).toBe("198.51.100.4");
  });
});

describe("getAuth", () => {
  it("reads the caller from next/headers, and null without a credential", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const { cookie } = await signedIn(auth);
    const getSession = getAuth(auth);
    const inside = (headers: HeadersInit) =>
      currentRequest.run(new Request("http://localhost:3000/", { headers }), getSession);
    expect((await inside({ cookie }))?.user.email).toBe("ada@example.com");
    expect(await inside({})).toBeNull();
    expect(await inside({ cookie: `portcullis.session=${"A".repeat(43)}` })).toBeNull();
  });

  it("fails closed when storage is down", async () => {
    const options = conformanceAuthOptions();
    const auth = createAuth(options);
    const { cookie } = await signedIn(auth);
    options.storage.sessions.get = async () => {
      throw new Error("database is down");
    };
    const result = await currentRequest.run(
      new Request("http://localhost:3000/", { headers: { cookie } }),
      getAuth(auth),
    );
    expect(result).toBeNull();
  });
});

describe("requireAuth (route handlers)", () => {
  it("passes the caller and Next's context to the handler", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const { token } = await signedIn(auth);
    const GET = requireAuth(
      auth,
      async (_request, context: { params: Promise<{ id: string }> }, caller) =>
        Response.json({ id: (await context.params).id, email: caller.user.email }),
    );
    const response = await GET(
      new Request("http://localhost:3000/api/things/7", {
        headers: { authorization: `Bearer ${token}` },
      }),
      { params: Promise.resolve({ id: "7" }) },
    );
    expect(await response.json()).toEqual({ id: "7", email: "ada@example.com" });
  });

  it("refuses a redirectTo that leaves the site", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const redirectTo of ["https://evil.example/", "//evil.example/"]) {
      expect(() => requireAuth(auth, () => new Response(), { redirectTo })).toThrow(/path/);
    }
  });
});

describe("authMiddleware", () => {
  const gate = authMiddleware({ protect: ["/dashboard", "/api/private"], redirectTo: "/sign-in" });
  const request = (path: string, headers: Record<string, string> = {}) =>
    new Request(`https://app.example.com${path}`, { headers });

  it("lets unprotected paths through untouched, look-alike prefixes included", async () => {
    expect(await gate(request("/"))).toBeUndefined();
    expect(await gate(request("/dashboards"))).toBeUndefined();
    expect(await gate(request("/api/privately"))).toBeUndefined();
  });

  it("redirects a page request without a session cookie to sign-in with ?next=", async () => {
    const response = await gate(request("/dashboard/settings?tab=2", { accept: "text/html" }));
    expect(response?.status).toBe(303);
    const location = new URL(response?.headers.get("location") ?? "");
    expect(location.origin).toBe("https://app.example.com");
    expect(location.pathname).toBe("/sign-in");
    expect(location.searchParams.get("next")).toBe("/dashboard/settings?tab=2");
  });

  it("answers an API request without a session 401 in the error shape", async () => {
    const response = await gate(request("/api/private/data", { accept: "application/json" }));
    expect(response?.status).toBe(401);
    expect(await response?.json()).toEqual({
      error: { code: "unauthenticated", message: expect.any(String) },
    });
  });

  it("lets a request with the session cookie through, __Host- name included", async () => {
    for (const cookie of ["portcullis.session=abc", "x=1; __Host-portcullis.session=abc"]) {
      expect(await gate(request("/dashboard", { cookie, accept: "text/html" }))).toBeUndefined();
    }
  });

  it("does not mistake an empty cookie or another cookie for a session", async () => {
    for (const cookie of [
      "portcullis.session=",
      "portcullis.sessionX=abc",
      "other=portcullis.session",
    ]) {
      expect((await gate(request("/api/private", { cookie })))?.status).toBe(401);
    }
  });

  it("honours a custom cookie name", async () => {
    const custom = authMiddleware({ protect: ["/app"], redirectTo: "/login", cookieName: "sid" });
    expect(await custom(request("/app", { cookie: "sid=abc" }))).toBeUndefined();
    expect((await custom(request("/app", { cookie: "portcullis.session=abc" })))?.status).toBe(401);
  });

  it("verifies a Bearer access JWT with accessTokens, and fails closed on any doubt", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
    const other = await generateKeyPair("EdDSA");
    const issuer = "https://app.example.com";
    const sign = (key: CryptoKey, expiresIn: string | number = "5m") =>
      new SignJWT({ sid: "session-1" })
        .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: "at+jwt" })
        .setIssuer(issuer)
        .setAudience(issuer)
        .setSubject("user-1")
        .setJti("jti-1")
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(key);
    const verified = authMiddleware({
      protect: ["/api"],
      redirectTo: "/sign-in",
      accessTokens: {
        keys: [{ kid: "k1", alg: "EdDSA", publicKey: await exportJWK(publicKey) }],
        issuer,
        audience: issuer,
      },
    });
    const bearer = (token: string) => request("/api/x", { authorization: `Bearer ${token}` });
    expect(await verified(bearer(await sign(privateKey)))).toBeUndefined();
    const expired = await sign(privateKey, Math.floor(Date.now() / 1000) - 60);
    expect((await verified(bearer(expired)))?.status).toBe(401);
    expect((await verified(bearer(await sign(other.privateKey))))?.status).toBe(401);
    // An opaque session token is no access token: with accessTokens set it does not pass here.
    expect((await verified(bearer("A".repeat(43))))?.status).toBe(401);
  });

  it("rejects wrong accessTokens options at setup", () => {
    expect(() =>
      authMiddleware({
        protect: ["/api"],
        redirectTo: "/sign-in",
        accessTokens: { issuer: "https://app.example.com", audience: "https://app.example.com" },
      }),
    ).toThrow(/jwks or keys/);
  });

  it("without accessTokens, leaves a Bearer request to the route", async () => {
    expect(
      await gate(request("/api/private", { authorization: "Bearer anything" })),
    ).toBeUndefined();
  });

  it("reaches no storage, session or flow code: safe on the edge, no database", async () => {
    const reached = await importGraph(
      new URL("../../adapters/next/middleware.ts", import.meta.url),
    );
    const core = [...reached].map((file) => file.slice(file.indexOf("/src/") + 1));
    expect(core.filter((file) => file.startsWith("src/"))).not.toHaveLength(0);
    for (const file of core) {
      expect(file).not.toMatch(/^src\/(storage|sessions|flows|http\/routes|index\.ts)/);
    }
    expect(core).not.toContain("src/index.ts");
  });
});

describe("portcullis/next entry", () => {
  it("loads no core code statically: defineAuth imports the core at its first request", async () => {
    // proxy.ts imports authMiddleware from the same entry, for the edge runtime.
    const reached = await importGraph(new URL("../../adapters/next/index.ts", import.meta.url));
    const core = [...reached].map((file) => file.slice(file.indexOf("/src/") + 1));
    for (const file of core) {
      expect(file).not.toMatch(/^src\/(storage|sessions|flows|http|config\/|context|index\.ts)/);
    }
  });
});

/** Every local module a source file reaches through its relative imports (type-only ones skipped). */
async function importGraph(entry: URL, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(entry.pathname)) return seen;
  seen.add(entry.pathname);
  const source = await readFile(entry, "utf8");
  for (const match of source.matchAll(/^(import|export)(?! type)[^;]*?from "(\.[^"]+)"/gms)) {
    const target = new URL((match[2] as string).replace(/\.js$/, ".ts"), entry);
    await importGraph(target, seen);
  }
  return seen;
}
