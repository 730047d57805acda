import { connect } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { fastifyAuth, requireAuth, withAuth } from "../../adapters/fastify/index.js";
import { type Auth, createAuth } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import {
  CONFORMANCE_ORIGIN,
  type ConformanceServer,
  conformanceAuthOptions,
  httpConformance,
} from "./conformance.js";

async function listen(app: FastifyInstance): Promise<ConformanceServer> {
  const baseURL = await app.listen({ port: 0, host: "127.0.0.1" });
  return { baseURL, close: () => app.close() };
}

async function conformanceApp() {
  const auth = createAuth(conformanceAuthOptions());
  const app = Fastify();
  await app.register(fastifyAuth, { auth });
  app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => ({
    user: request.auth?.user,
  }));
  app.post("/api/echo", async (request) => ({ body: request.body }));
  app.get(
    "/private",
    { preHandler: requireAuth(auth, { redirectTo: "/sign-in" }) },
    async () => "private",
  );
  return app;
}

httpConformance("fastify", async () => listen(await conformanceApp()), { pageGuard: true });

describe("portcullis/fastify specifics", () => {
  let server: ConformanceServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function boot(
    setup: (app: FastifyInstance, auth: Auth) => void | Promise<void>,
    fastifyOptions = {},
  ) {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify(fastifyOptions);
    await app.register(fastifyAuth, { auth });
    await setup(app, auth);
    server = await listen(app);
    return server.baseURL;
  }

  const signUp = (baseURL: string, headers: Record<string, string> = {}) =>
    fetch(`${baseURL}/auth/register`, {
      method: "POST",
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json", ...headers },
      body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
    });

  async function sessionIP(baseURL: string, response: Response) {
    const cookie = (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const session = await fetch(`${baseURL}/auth/session`, { headers: { cookie } });
    return ((await session.json()) as { session: { ip: string } }).session.ip;
  }

  it("takes the client IP from request.ip, so `trustProxy` decides about X-Forwarded-For", async () => {
    const trusting = await boot(() => {}, { trustProxy: "127.0.0.1" });
    const res = await signUp(trusting, { "x-forwarded-for": "203.0.113.7" });
    expect(res.status).toBe(201);
    expect(await sessionIP(trusting, res)).toBe("203.0.113.7");
  });

  it("ignores X-Forwarded-For when Fastify does not trust the proxy", async () => {
    const baseURL = await boot(() => {});
    const res = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(await sessionIP(baseURL, res)).toBe("127.0.0.1");
  });

  it("refuses to register without an auth instance, naming the option", async () => {
    const app = Fastify();
    await expect(app.register(fastifyAuth, {} as never)).rejects.toThrow(/\{ auth \}/);
  });

  it("applies the core's body limit to auth routes, not Fastify's bodyLimit", async () => {
    const baseURL = await boot(() => {}, { bodyLimit: 1024 });
    const res = await fetch(`${baseURL}/auth/login`, {
      method: "POST",
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ password: "x".repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
    // Under Fastify's limit but well-formed: the core's parser, not Fastify's, reads it.
    const small = await fetch(`${baseURL}/auth/login`, {
      method: "POST",
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: "a@example.com", password: "y".repeat(2000) }),
    });
    expect(small.status).toBe(401);
  });

  it("withAuth sets request.auth to the caller or null; the decorator default is null", async () => {
    const baseURL = await boot((app, auth) => {
      app.get("/whoami", { preHandler: withAuth(auth) }, async (request) => ({
        email: request.auth?.user.email ?? null,
      }));
      app.get("/untouched", async (request) => ({ isNull: request.auth === null }));
    });
    expect(await (await fetch(`${baseURL}/whoami`)).json()).toEqual({ email: null });
    expect(await (await fetch(`${baseURL}/untouched`)).json()).toEqual({ isNull: true });
    const signed = await signUp(baseURL);
    const cookie = (signed.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const me = await fetch(`${baseURL}/whoami`, { headers: { cookie } });
    expect(await me.json()).toEqual({ email: "ada@example.com" });
  });

  it("leaves the app's routes, parsers and 404s alone outside basePath", async () => {
    const baseURL = await boot((app) => {
      app.get("/authors", async () => "authors");
    });
    expect(await (await fetch(`${baseURL}/authors`)).text()).toBe("authors");
    const missing = await fetch(`${baseURL}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe("Not Found");
  });

  /** Sends `request` as raw bytes, so nothing normalises the request line; ends at the server's close. */
  function rawRequest(baseURL: string, request: string): Promise<string> {
    const { hostname, port } = new URL(baseURL);
    return new Promise((resolve, reject) => {
      let answer = "";
      const socket = connect(Number(port), hostname, () => socket.write(request));
      socket.on("data", (chunk) => (answer += chunk));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
    });
  }

  it("routes an absolute-form request target by its path, ignoring the host it names", async () => {
    const baseURL = await boot(() => {});
    expect((await signUp(baseURL)).status).toBe(201);
    const body = JSON.stringify({ email: "ada@example.com", password: PASSWORD });
    const answer = await rawRequest(
      baseURL,
      [
        "POST http://evil.example/auth/login HTTP/1.1",
        `Host: ${new URL(baseURL).host}`,
        `Origin: ${CONFORMANCE_ORIGIN}`,
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
        "",
        body,
      ].join("\r\n"),
    );
    const [head = "", payload] = answer.split("\r\n\r\n");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(head).toMatch(/^set-cookie: portcullis\.session=/im);
    expect(JSON.parse(payload as string)).toMatchObject({ user: { email: "ada@example.com" } });

    // The named host is no origin of ours: the CSRF check still wants this site's.
    const forged = await rawRequest(
      baseURL,
      [
        "POST http://evil.example/auth/login HTTP/1.1",
        `Host: ${new URL(baseURL).host}`,
        "Origin: http://evil.example",
        "Cookie: portcullis.session=x.y",
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
        "",
        body,
      ].join("\r\n"),
    );
    expect(forged.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");

    const health = await rawRequest(
      baseURL,
      "GET https://evil.example/auth/health?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    expect(health.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
  });

  it("guards a route declared with requireAuth(auth) before register has finished", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    // Not awaited: the plugin loads only at listen(). The guard needs none of it.
    app.register(fastifyAuth, { auth });
    app.get("/me", { preHandler: requireAuth(auth) }, async (request) => ({
      email: request.auth?.user.email,
    }));
    app.get("/account", { preHandler: requireAuth(auth, { redirectTo: "/sign-in" }) }, () => "ok");
    server = await listen(app);
    const anonymous = await fetch(`${server.baseURL}/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: { code: "unauthenticated", message: expect.any(String) },
    });
    const page = await fetch(`${server.baseURL}/account`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/sign-in?next=%2Faccount");
    const signed = await signUp(server.baseURL);
    const cookie = (signed.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const me = await fetch(`${server.baseURL}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ email: "ada@example.com" });
  });

  it("requireAuth(auth) guards without the plugin registered at all", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    app.get("/me", { preHandler: requireAuth(auth) }, async () => "secret");
    server = await listen(app);
    expect((await fetch(`${server.baseURL}/me`)).status).toBe(401);
  });

  it("has no app.requireAuth, which a route could read before it existed", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    app.register(fastifyAuth, { auth });
    // @ts-expect-error the decorator is gone from the types too: this line must not compile
    const early: unknown = app.requireAuth;
    expect(early).toBeUndefined();
    await app.ready();
    expect((app as unknown as Record<string, unknown>).requireAuth).toBeUndefined();
    await app.close();
  });

  it("refuses, at declaration, a route whose guard hook is undefined instead of serving it to anyone", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    await app.register(fastifyAuth, { auth });
    const missing = (app as unknown as { requireAuth?: never }).requireAuth;
    const handler = async () => "secret";
    expect(() => app.get("/me", { preHandler: missing }, handler)).toThrow(
      /GET \/me declares preHandler: undefined.*requireAuth\(auth\)/,
    );
    expect(() =>
      app.get("/me2", { preHandler: [requireAuth(auth), missing as never] }, handler),
    ).toThrow(/preHandler: \[function, undefined\]/);
    for (const hook of ["onRequest", "preParsing", "preValidation"]) {
      expect(
        () => app.route({ method: "GET", url: `/${hook}`, [hook]: undefined, handler }),
        hook,
      ).toThrow(new RegExp(`declares ${hook}: undefined`));
    }
    // A child context registered later inherits the check.
    await app.register(async (child) => {
      expect(() => child.get("/child", { preHandler: missing }, handler)).toThrow(/preHandler/);
    });
    // Routes without the option, or with real functions, are untouched.
    app.get("/public", handler);
    app.get("/guarded", { preHandler: [withAuth(auth), requireAuth(auth)] }, handler);
    server = await listen(app);
    expect((await fetch(`${server.baseURL}/me`)).status).toBe(404);
    expect((await fetch(`${server.baseURL}/public`)).status).toBe(200);
    expect((await fetch(`${server.baseURL}/guarded`)).status).toBe(401);
  });

  it("rejects at setup a redirectTo that is not a path on this site", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const redirectTo of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "/\t/x",
    ]) {
      expect(() => requireAuth(auth, { redirectTo }), redirectTo).toThrow(/path on this site/);
    }
  });

  it("answers HEAD from the GET route, without a body", async () => {
    const baseURL = await boot(() => {});
    const res = await fetch(`${baseURL}/auth/health`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});
