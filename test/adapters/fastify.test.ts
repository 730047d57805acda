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
  app.get("/api/me", { preHandler: app.requireAuth }, async (request) => ({
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

  it("answers HEAD from the GET route, without a body", async () => {
    const baseURL = await boot(() => {});
    const res = await fetch(`${baseURL}/auth/health`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});
