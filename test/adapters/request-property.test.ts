/**
 * Express and Fastify guards write the caller to `req.auth` by default, or to the property named
 * by `{ property }`, so they live beside express-jwt / express-oauth2-jwt-bearer (which own
 * `req.auth`) and Fastify plugins that decorate `request.auth`. `authed(req)` reads the caller a
 * guard found whatever the name, and never mistakes another library's `req.auth` for one.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import * as expressAdapter from "../../adapters/express/index.js";
import * as fastifyAdapter from "../../adapters/fastify/index.js";
import { type Auth, ConfigError, createAuth } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import { CONFORMANCE_ORIGIN, conformanceAuthOptions } from "./conformance.js";

interface Served {
  baseURL: string;
  close(): Promise<void>;
}

async function listenExpress(app: express.Express): Promise<Served> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function listenFastify(app: FastifyInstance): Promise<Served> {
  const baseURL = await app.listen({ port: 0, host: "127.0.0.1" });
  return { baseURL, close: () => app.close() };
}

async function signUp(baseURL: string): Promise<string> {
  const response = await fetch(`${baseURL}/auth/register`, {
    method: "POST",
    headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
  });
  expect(response.status).toBe(201);
  return (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
}

async function getJSON(baseURL: string, path: string, cookie?: string) {
  const response = await fetch(`${baseURL}${path}`, cookie ? { headers: { cookie } } : {});
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** What another library put on `req.auth` (express-oauth2-jwt-bearer's shape). */
const FOREIGN = { payload: { sub: "someone-else" }, token: "a.b.c" };

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe("portcullis/express property", () => {
  function app(auth: Auth, property?: string) {
    const options = property ? { property } : {};
    const app = express();
    app.use(expressAdapter.authHandler(auth));
    // Another library that owns `req.auth`, running first.
    app.use((req, _res, next) => {
      (req as unknown as Record<string, unknown>).auth = FOREIGN;
      next();
    });
    app.use(expressAdapter.withAuth(auth, options));
    app.get("/who", (req, res) => {
      const bag = req as unknown as Record<string, unknown>;
      res.json({ auth: bag.auth ?? null, portcullis: bag.portcullis ?? null });
    });
    app.get("/me", expressAdapter.requireAuth(auth, options), (req, res) => {
      res.json({ email: expressAdapter.authed(req).user.email });
    });
    app.get("/unguarded", (req, res) => {
      res.json({ email: expressAdapter.authed(req).user.email });
    });
    return app;
  }

  it('writes the caller to req.portcullis with { property: "portcullis" }, leaving req.auth alone', async () => {
    const auth = createAuth(conformanceAuthOptions());
    served = await listenExpress(app(auth, "portcullis"));
    const cookie = await signUp(served.baseURL);
    const who = await getJSON(served.baseURL, "/who", cookie);
    expect(who.json.auth).toEqual(FOREIGN);
    expect(who.json.portcullis.user.email).toBe("ada@example.com");
    const anonymous = await getJSON(served.baseURL, "/who");
    expect(anonymous.json).toEqual({ auth: FOREIGN, portcullis: null });
    expect(await getJSON(served.baseURL, "/me", cookie)).toEqual({
      status: 200,
      json: { email: "ada@example.com" },
    });
    expect((await getJSON(served.baseURL, "/me")).status).toBe(401);
  });

  it("writes req.auth by default, and never takes another library's req.auth for a caller", async () => {
    const auth = createAuth(conformanceAuthOptions());
    served = await listenExpress(app(auth));
    // Signed out: the foreign object is replaced by null, and the guard does not let it in.
    expect((await getJSON(served.baseURL, "/who")).json).toEqual({ auth: null, portcullis: null });
    expect((await getJSON(served.baseURL, "/me")).status).toBe(401);
    const cookie = await signUp(served.baseURL);
    expect((await getJSON(served.baseURL, "/who", cookie)).json.auth.user.email).toBe(
      "ada@example.com",
    );
  });

  it("authed(req) fails the request, never serves it, where no guard let a caller in", async () => {
    const auth = createAuth(conformanceAuthOptions());
    served = await listenExpress(app(auth));
    const cookie = await signUp(served.baseURL);
    // /unguarded has no requireAuth, only the app-wide withAuth: signed out there is no caller
    // to read (500, not a request served as if signed in); signed in, authed() reads the one
    // withAuth found.
    expect((await getJSON(served.baseURL, "/unguarded")).status).toBe(500);
    expect((await getJSON(served.baseURL, "/unguarded", cookie)).status).toBe(200);
    const bare = express();
    bare.get("/x", (req, res) => {
      res.json(expressAdapter.authed(req));
    });
    await served.close();
    served = await listenExpress(bare);
    expect((await getJSON(served.baseURL, "/x", cookie)).status).toBe(500);
  });

  it("refuses a property that is no identifier at setup", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const property of ["", "a b", "__proto__", "constructor", 1 as never]) {
      expect(() => expressAdapter.withAuth(auth, { property }), String(property)).toThrow(
        ConfigError,
      );
      expect(() => expressAdapter.requireAuth(auth, { property }), String(property)).toThrow(
        /property must be an identifier/,
      );
    }
  });
});

describe("portcullis/fastify property", () => {
  async function app(auth: Auth, property?: string) {
    const options = property ? { property } : {};
    const app = Fastify();
    // Another plugin that decorates request.auth: with the default, the two would collide.
    if (property) app.decorateRequest("auth", null);
    await app.register(fastifyAdapter.authHandler(auth, options));
    app.get("/who", { preHandler: fastifyAdapter.withAuth(auth, options) }, async (request) => {
      const bag = request as unknown as Record<string, unknown>;
      return { auth: bag.auth ?? null, portcullis: bag.portcullis ?? null };
    });
    app.get("/me", { preHandler: fastifyAdapter.requireAuth(auth, options) }, async (request) => ({
      email: fastifyAdapter.authed(request).user.email,
    }));
    app.get("/untouched", async (request) => {
      const bag = request as unknown as Record<string, unknown>;
      return { hasAuth: "auth" in bag, portcullis: bag.portcullis };
    });
    app.get("/unguarded", async (request) => fastifyAdapter.authed(request));
    return app;
  }

  it('decorates and writes request.portcullis with { property: "portcullis" }', async () => {
    const auth = createAuth(conformanceAuthOptions());
    served = await listenFastify(await app(auth, "portcullis"));
    const cookie = await signUp(served.baseURL);
    const who = await getJSON(served.baseURL, "/who", cookie);
    expect(who.json.auth).toBeNull();
    expect(who.json.portcullis.user.email).toBe("ada@example.com");
    expect((await getJSON(served.baseURL, "/untouched")).json.portcullis).toBeNull();
    expect(await getJSON(served.baseURL, "/me", cookie)).toEqual({
      status: 200,
      json: { email: "ada@example.com" },
    });
    expect((await getJSON(served.baseURL, "/me")).status).toBe(401);
  });

  it("keeps request.auth, decorated with null, by default", async () => {
    const auth = createAuth(conformanceAuthOptions());
    served = await listenFastify(await app(auth));
    expect((await getJSON(served.baseURL, "/untouched")).json).toEqual({ hasAuth: true });
    const cookie = await signUp(served.baseURL);
    expect((await getJSON(served.baseURL, "/who", cookie)).json.auth.user.email).toBe(
      "ada@example.com",
    );
    expect((await getJSON(served.baseURL, "/unguarded", cookie)).status).toBe(500);
  });

  it("the default collides with another request.auth decorator, which is what property is for", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    app.decorateRequest("auth", null);
    await expect(app.register(fastifyAdapter.authHandler(auth))).rejects.toThrow(/auth/);
  });

  it("refuses a property that is no identifier at setup", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const property of ["", "a-b", "__proto__"]) {
      expect(() => fastifyAdapter.authHandler(auth, { property }), property).toThrow(ConfigError);
      expect(() => fastifyAdapter.requireAuth(auth, { property }), property).toThrow(ConfigError);
      expect(() => fastifyAdapter.withAuth(auth, { property }), property).toThrow(ConfigError);
    }
  });

  it("the deprecated fastifyAuth plugin takes property too", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = Fastify();
    await app.register(fastifyAdapter.fastifyAuth, { auth, property: "portcullis" });
    app.get("/untouched", async (request) => ({
      portcullis: (request as unknown as Record<string, unknown>).portcullis,
    }));
    served = await listenFastify(app);
    expect((await getJSON(served.baseURL, "/untouched")).json).toEqual({ portcullis: null });
  });
});
