/**
 * During a storage outage every framework guard tells the truth: a caller it cannot determine
 * gets 503 `unavailable` with `Retry-After` (the answer `/auth/session` gives for the same
 * cookie), never 401 and never a redirect to the sign-in page; a request without a credential is
 * still plainly signed out; `withAuth` carries on with null, and a `requireAuth` after it on the
 * same request still answers 503. The outage is logged once per burst, and service resumes
 * without a restart. The storage here fails on command; test/reliability stops real servers.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as expressAdapter from "../../adapters/express/index.js";
import * as fastifyAdapter from "../../adapters/fastify/index.js";
import * as honoAdapter from "../../adapters/hono/index.js";
import * as nextAdapter from "../../adapters/next/index.js";
import { FAILURE_LOG_INTERVAL_MS } from "../../src/credentials/authenticate-request.js";
import { type Auth, createAuth, isAuthError } from "../../src/index.js";
import { faultyStorage } from "../faults/faulty-storage.js";
import { manualClock, PASSWORD } from "../helpers.js";
import { CONFORMANCE_ORIGIN, conformanceAuthOptions } from "./conformance.js";

const currentRequest = new AsyncLocalStorage<Request>();
vi.mock("next/headers", () => ({
  headers: async () => {
    const request = currentRequest.getStore();
    if (!request) throw new Error("headers() was called outside a request scope");
    return request.headers;
  },
}));

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

/*
 * Every app serves the same four routes:
 *   /api    requireAuth                        (401 JSON when signed out)
 *   /page   requireAuth({ redirectTo })        (303 to /sign-in when signed out)
 *   /chain  withAuth, then requireAuth         (Next has no chain: a second requireAuth)
 *   /open   withAuth only: "in" or "out"       (Next: getAuth with onUnavailable "null")
 */
const REDIRECT = "/sign-in";

async function expressApp(auth: Auth): Promise<Served> {
  const { requireAuth, withAuth } = expressAdapter;
  const app = express();
  app.get("/api", requireAuth(auth), (_req, res) => void res.send("ok"));
  app.get("/page", requireAuth(auth, { redirectTo: REDIRECT }), (_req, res) => void res.send("ok"));
  app.get("/chain", withAuth(auth), requireAuth(auth), (_req, res) => void res.send("ok"));
  app.get("/open", withAuth(auth), (req, res) => void res.send(req.auth ? "in" : "out"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function fastifyApp(auth: Auth): Promise<Served> {
  const { requireAuth, withAuth } = fastifyAdapter;
  const app = Fastify();
  app.get("/api", { preHandler: requireAuth(auth) }, async () => "ok");
  app.get("/page", { preHandler: requireAuth(auth, { redirectTo: REDIRECT }) }, async () => "ok");
  app.get("/chain", { preHandler: [withAuth(auth), requireAuth(auth)] }, async () => "ok");
  app.get("/open", { preHandler: withAuth(auth) }, async (request) =>
    request.auth ? "in" : "out",
  );
  const baseURL = await app.listen({ port: 0, host: "127.0.0.1" });
  return { baseURL, close: () => app.close() };
}

function honoApp(auth: Auth): Promise<Served> {
  const { requireAuth, withAuth } = honoAdapter;
  const app = new Hono();
  app.get("/api", requireAuth(auth), (c) => c.text("ok"));
  app.get("/page", requireAuth(auth, { redirectTo: REDIRECT }), (c) => c.text("ok"));
  app.get("/chain", withAuth(auth), requireAuth(auth), (c) => c.text("ok"));
  app.get("/open", withAuth(auth), (c) => c.text(c.get("auth") ? "in" : "out"));
  return listenFetch(app.fetch);
}

function nextApp(auth: Auth): Promise<Served> {
  const ok = () => new Response("ok");
  const routes: Record<string, (request: Request) => Promise<Response>> = {
    "/api": (request) => nextAdapter.requireAuth(auth, ok)(request, {}),
    "/page": (request) => nextAdapter.requireAuth(auth, ok, { redirectTo: REDIRECT })(request, {}),
    "/chain": (request) =>
      nextAdapter.requireAuth(auth, (inner) => nextAdapter.requireAuth(auth, ok)(inner, {}))(
        request,
        {},
      ),
    "/open": (request) =>
      currentRequest.run(request, async () => {
        const caller = await nextAdapter.getAuth(auth, { onUnavailable: "null" })();
        return new Response(caller ? "in" : "out");
      }),
  };
  return listenFetch((request) => {
    const route = routes[new URL(request.url).pathname];
    return route ? route(request) : new Response("not found", { status: 404 });
  });
}

const APPS = { express: expressApp, fastify: fastifyApp, hono: honoApp, next: nextApp };

interface Answer {
  status: number;
  location: string | null;
  retryAfter: string | null;
  cacheControl: string | null;
  body: string;
}

async function ask(served: Served, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${served.baseURL}${path}`, {
    redirect: "manual",
    headers: { accept: "text/html", ...headers },
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    retryAfter: response.headers.get("retry-after"),
    cacheControl: response.headers.get("cache-control"),
    body: await response.text(),
  } satisfies Answer;
}

/** A logger that keeps its `error` records: (fields, message). */
function recorder() {
  const errors: { fields: Record<string, unknown>; message: string }[] = [];
  const nothing = () => {};
  return {
    errors,
    logger: {
      debug: nothing,
      info: nothing,
      warn: nothing,
      error: (fields: unknown, message: unknown) =>
        errors.push({ fields: fields as Record<string, unknown>, message: String(message) }),
    },
  };
}

describe("every guard during a storage outage", () => {
  const faulty = faultyStorage();
  const clock = manualClock(Date.now());
  const log = recorder();
  const auth = createAuth({
    ...conformanceAuthOptions(),
    storage: faulty.storage,
    clock,
    logger: log.logger,
  });
  const servers: Record<string, Served> = {};
  let cookie = "";
  let bearer = "";

  beforeAll(async () => {
    const response = await auth.handler(
      new Request(`${CONFORMANCE_ORIGIN}/auth/register`, {
        method: "POST",
        headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(201);
    cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
    bearer = cookie.split("=")[1] as string;
    for (const [name, start] of Object.entries(APPS)) servers[name] = await start(auth);
  });
  afterAll(async () => {
    faulty.up();
    await Promise.all(Object.values(servers).map((served) => served.close()));
  });

  /** What `/auth/session` answers the same cookie: the guards must say the same. */
  async function sessionRoute() {
    const response = await auth.handler(
      new Request(`${CONFORMANCE_ORIGIN}/auth/session`, { headers: { cookie } }),
    );
    return { status: response.status, body: await response.text() };
  }

  it("lets the signed-in caller through while storage is up", async () => {
    for (const [name, served] of Object.entries(servers)) {
      for (const path of ["/api", "/page", "/chain"]) {
        expect((await ask(served, path, { cookie })).status, `${name} ${path}`).toBe(200);
      }
      expect((await ask(served, "/open", { cookie })).body, name).toBe("in");
    }
  });

  it("answers 503 with Retry-After, never 401 or a redirect, and logs the burst once", async () => {
    faulty.down();
    const session = await sessionRoute();
    expect(session.status).toBe(503);
    const before = log.errors.length;
    for (const [name, served] of Object.entries(servers)) {
      for (const path of ["/api", "/page", "/chain"]) {
        const credentials: Record<string, string>[] = [
          { cookie },
          { authorization: `Bearer ${bearer}` },
        ];
        for (const credential of credentials) {
          const answer = await ask(served, path, credential);
          expect(
            { ...answer, body: JSON.parse(answer.body) },
            `${name} ${path} ${Object.keys(credential)[0]}`,
          ).toEqual({
            status: 503,
            location: null,
            retryAfter: "5",
            cacheControl: "no-store",
            body: JSON.parse(session.body),
          });
        }
      }
      // Optional sign-in carries on as signed out: the page decides what to show.
      expect((await ask(served, "/open", { cookie })).body, name).toBe("out");
    }
    // Dozens of failed lookups, one line: the kind of failure, not the count of requests.
    const during = log.errors.slice(before);
    expect(during).toHaveLength(1);
    const [line] = during as [(typeof during)[number]];
    expect(line.message).toMatch(/^authenticate failed: Storage is unavailable/);
    expect((line.fields.err as Error).cause).toMatchObject({ code: "ECONNREFUSED" });

    // Past the interval, the next failure is logged again, with how many were held back.
    clock.advance(FAILURE_LOG_INTERVAL_MS / 1000 + 1);
    await ask(servers.express as Served, "/api", { cookie });
    const next = log.errors.slice(before);
    expect(next).toHaveLength(2);
    expect(next[1]?.fields.heldBack).toBeGreaterThan(20);
  });

  it("still tells a caller without a credential that nobody is signed in", async () => {
    faulty.down();
    for (const [name, served] of Object.entries(servers)) {
      const api = await ask(served, "/api", { accept: "application/json" });
      expect(api.status, name).toBe(401);
      expect(JSON.parse(api.body).error.code, name).toBe("unauthenticated");
      const page = await ask(served, "/page");
      expect(page.status, name).toBe(303);
      expect(new URL(page.location as string, served.baseURL).pathname, name).toBe(REDIRECT);
    }
  });

  it("serves the caller again as soon as storage is back, without a restart", async () => {
    faulty.down();
    faulty.up();
    for (const [name, served] of Object.entries(servers)) {
      for (const path of ["/api", "/page", "/chain"]) {
        expect((await ask(served, path, { cookie })).status, `${name} ${path}`).toBe(200);
      }
    }
  });
});

describe("the Next.js helpers during a storage outage", () => {
  const faulty = faultyStorage();
  const auth = createAuth({
    ...conformanceAuthOptions(),
    storage: faulty.storage,
    logger: recorder().logger,
  });
  let cookie = "";

  beforeAll(async () => {
    const { POST } = nextAdapter.authHandler(auth);
    const response = await POST(
      new Request(`${CONFORMANCE_ORIGIN}/auth/register`, {
        method: "POST",
        headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ email: "grace@example.com", password: PASSWORD }),
      }),
    );
    cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
  });

  const inRequest = <T>(read: () => Promise<T>) =>
    currentRequest.run(
      new Request(`${CONFORMANCE_ORIGIN}/dashboard`, { headers: { cookie } }),
      read,
    );

  it("getAuth (and defineAuth's auth) throws unavailable instead of answering null", async () => {
    expect((await inRequest(nextAdapter.getAuth(auth)))?.user.email).toBe("grace@example.com");
    faulty.down();
    try {
      const failure = await inRequest(nextAdapter.getAuth(auth)).catch((error: unknown) => error);
      expect(isAuthError(failure) && failure.code).toBe("unavailable");
      expect(isAuthError(failure) && failure.status).toBe(503);
      const defined = nextAdapter.defineAuth(() => auth, { name: "guard-outage" });
      await expect(inRequest(defined.auth)).rejects.toMatchObject({ code: "unavailable" });
      // Asked for, an outage reads as signed out.
      expect(await inRequest(nextAdapter.getAuth(auth, { onUnavailable: "null" }))).toBeNull();
    } finally {
      faulty.up();
    }
  });

  it("authMiddleware answers 503 when the key set cannot be fetched, 401 for a malformed token", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA");
    const issuer = "https://app.example.com";
    const token = await new SignJWT({ sid: "s1" })
      .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: "at+jwt" })
      .setIssuer(issuer)
      .setAudience(issuer)
      .setSubject("u1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti("j1")
      .sign(privateKey);
    expect((await exportJWK(publicKey)).kty).toBe("OKP");
    // Port 9 (discard) on the loopback: nothing listens, the fetch is refused at once.
    const gate = nextAdapter.authMiddleware({
      protect: ["/api"],
      redirectTo: "/sign-in",
      accessTokens: { jwks: "http://127.0.0.1:9/auth/jwks", issuer, audience: issuer },
    });
    const request = (bearer: string) =>
      new Request(`${issuer}/api/me`, { headers: { authorization: `Bearer ${bearer}` } });
    const unreachable = (await gate(request(token))) as Response;
    expect(unreachable.status).toBe(503);
    expect(unreachable.headers.get("retry-after")).toBe("5");
    expect(((await unreachable.json()) as { error: { code: string } }).error.code).toBe(
      "unavailable",
    );
    // A token that is not even a JWT needs no key to refuse: still a plain 401.
    const malformed = (await gate(request("a.b.c"))) as Response;
    expect(malformed.status).toBe(401);
  });
});
