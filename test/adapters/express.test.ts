import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { authHandler, requireAuth, withAuth } from "../../adapters/express/index.js";
import { type Auth, createAuth } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import {
  CONFORMANCE_ORIGIN,
  type ConformanceServer,
  conformanceAuthOptions,
  httpConformance,
} from "./conformance.js";

type Setup = (app: express.Express, auth: Auth) => void;

async function listen(app: express.Express): Promise<ConformanceServer> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The conformance app; `jsonFirst` decides whether express.json() runs before the handler. */
function conformanceApp(jsonFirst: boolean, auth = createAuth(conformanceAuthOptions())) {
  const app = express();
  // Both parsers before the handler: it must re-read what they consumed (JSON and forms).
  if (jsonFirst) app.use(express.json({ limit: "1mb" }), express.urlencoded({ extended: false }));
  app.use(authHandler(auth));
  if (!jsonFirst) app.use(express.json({ limit: "1mb" }));
  app.get("/api/me", requireAuth(auth), (req, res) => {
    res.json({ user: req.auth?.user });
  });
  app.post("/api/echo", (req, res) => {
    res.json({ body: req.body });
  });
  app.get("/private", requireAuth(auth, { redirectTo: "/sign-in" }), (_req, res) => {
    res.send("private");
  });
  return app;
}

httpConformance("express, express.json() before the handler", () => listen(conformanceApp(true)), {
  pageGuard: true,
});
httpConformance("express, express.json() after the handler", () => listen(conformanceApp(false)), {
  pageGuard: true,
});

describe("portcullis/express specifics", () => {
  let server: ConformanceServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function boot(setup: Setup) {
    const auth = createAuth(conformanceAuthOptions());
    const app = express();
    setup(app, auth);
    server = await listen(app);
    return { auth, baseURL: server.baseURL };
  }

  function post(baseURL: string, path: string, body: string, headers: Record<string, string>) {
    return fetch(`${baseURL}${path}`, {
      method: "POST",
      body,
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json", ...headers },
    });
  }

  const signUp = (baseURL: string, headers: Record<string, string> = {}) =>
    post(
      baseURL,
      "/auth/register",
      JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
      headers,
    );

  async function sessionIP(baseURL: string, response: Response) {
    const cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const session = await fetch(`${baseURL}/auth/session`, { headers: { cookie } });
    return ((await session.json()) as { session: { ip: string } }).session.ip;
  }

  it("takes the client IP from req.ip, so `trust proxy` decides about X-Forwarded-For", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.set("trust proxy", "loopback");
      app.use(authHandler(auth));
    });
    const res = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(res.status).toBe(201);
    expect(await sessionIP(baseURL, res)).toBe("203.0.113.7");
  });

  it("ignores X-Forwarded-For when Express does not trust the proxy", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(authHandler(auth));
    });
    const res = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(await sessionIP(baseURL, res)).toMatch(/127\.0\.0\.1$/);
  });

  it("answers an earlier express.json() refusing a large body with payload_too_large", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(express.json({ limit: "1kb" }));
      app.use(authHandler(auth));
    });
    const res = await post(
      baseURL,
      "/auth/login",
      JSON.stringify({ email: "a@example.com", password: "x".repeat(4096) }),
      {},
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("checks CSRF before reporting an earlier parser's JSON error", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(express.json());
      app.use(authHandler(auth));
    });
    const signed = await signUp(baseURL);
    const cookie = (signed.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const res = await post(baseURL, "/auth/login", "{not json", {
      cookie,
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
    const same = await post(baseURL, "/auth/login", "{not json", { cookie });
    expect(same.status).toBe(400);
    expect(await same.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("serves a body an earlier express.json() refused unread (unknown charset) as the core sees it", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(express.json());
      app.use(authHandler(auth));
    });
    const res = await post(
      baseURL,
      "/auth/register",
      JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
      { "content-type": "application/json; charset=x-unknown" },
    );
    expect(res.status).toBe(201);
  });

  it("re-reads a body an earlier express.urlencoded() parsed", async () => {
    let seen: unknown;
    const { baseURL } = await boot((app, auth) => {
      app.use(express.urlencoded({ extended: false }));
      app.use(authHandler(auth));
      app.use((req, res) => {
        seen = req.body;
        res.end();
      });
    });
    // register takes JSON only, so a form body is a 415 from the core, not a hang or a crash.
    const res = await post(baseURL, "/auth/register", "email=a%40example.com", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
    await post(baseURL, "/elsewhere", "a=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(seen).toEqual({ a: "1" });
  });

  it("stops a chunked body at the core's cap with 413, and keeps serving", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(authHandler(auth));
    });
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // No Content-Length: the core only learns the size by reading, and must stop early.
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${baseURL}/auth/login`, {
      method: "POST",
      body,
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
    expect((await fetch(`${baseURL}/auth/health`)).status).toBe(200);
  });

  it("leaves other paths to the app, including look-alikes of basePath", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(authHandler(auth));
      app.get("/authors", (_req, res) => {
        res.send("authors");
      });
    });
    const res = await fetch(`${baseURL}/authors`);
    expect(await res.text()).toBe("authors");
  });

  it("withAuth sets req.auth to the caller or null, and never rejects", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.use(authHandler(auth));
      app.use(withAuth(auth));
      app.get("/whoami", (req, res) => {
        res.json({ email: req.auth?.user.email ?? null, isNull: req.auth === null });
      });
    });
    const anonymous = await fetch(`${baseURL}/whoami`);
    expect(await anonymous.json()).toEqual({ email: null, isNull: true });
    const signed = await signUp(baseURL);
    const cookie = (signed.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const me = await fetch(`${baseURL}/whoami`, { headers: { cookie } });
    expect(await me.json()).toEqual({ email: "ada@example.com", isNull: false });
  });

  it("serves a custom basePath", async () => {
    const auth = createAuth({ ...conformanceAuthOptions(), basePath: "/api/auth" });
    const app = express();
    app.use(authHandler(auth));
    server = await listen(app);
    expect((await fetch(`${server.baseURL}/api/auth/health`)).status).toBe(200);
    expect((await fetch(`${server.baseURL}/auth/health`)).status).toBe(404);
  });
});
