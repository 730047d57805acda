/**
 * `defineAuth` in `portcullis/next`: one instance per configuration for the whole process,
 * created at the first request. Next evaluates `lib/auth.ts` once per bundle (route handlers,
 * server components, server actions), so a module-scope `createAuth` gave each its own instance:
 * with memory storage `/dashboard` (a server component) sent a signed-in visitor to sign in
 * while `/api/me` (a route handler) answered 200. Here `vi.resetModules()` and a second import
 * give the two module instances Next would.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as NextAdapter from "../../adapters/next/index.js";
import { type AuthOptions, ConfigError, createAuth, memoryStorage } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import { CONFORMANCE_ORIGIN, conformanceAuthOptions } from "./conformance.js";
import type * as LibAuth from "./fixtures/next-lib-auth.js";

const currentRequest = new AsyncLocalStorage<Request>();
vi.mock("next/headers", () => ({
  headers: async () => {
    const request = currentRequest.getStore();
    if (!request) throw new Error("headers() was called outside a request scope");
    return request.headers;
  },
}));

/** Every createAuth call, whichever module instance of the core made it (this file's too). */
const created = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../src/index.js", async (importOriginal) => {
  const core = await importOriginal<typeof import("../../src/index.js")>();
  return {
    ...core,
    createAuth: (options: AuthOptions) => {
      created.count += 1;
      return core.createAuth(options);
    },
  };
});

const INSTANCES = Symbol.for("portcullis.next");
const scope = globalThis as { nextFixtureOptions?: () => AuthOptions; [INSTANCES]?: unknown };

/** What `lib/auth.ts` passes to defineAuth. */
const create = () => createAuth(conformanceAuthOptions());

/** A fresh module graph: what another Next bundle sees. */
async function bundle(): Promise<typeof LibAuth> {
  vi.resetModules();
  return import("./fixtures/next-lib-auth.js");
}

async function freshAdapter(): Promise<typeof NextAdapter> {
  vi.resetModules();
  return import("../../adapters/next/index.js");
}

/** `await auth()` as a server component calls it, inside a request with these headers. */
function inRequest<T>(headers: HeadersInit, read: () => Promise<T>): Promise<T> {
  return currentRequest.run(new Request("http://localhost:3000/dashboard", { headers }), read);
}

async function signUp(handlers: NextAdapter.NextRouteHandlers) {
  const response = await handlers.POST(
    new Request("http://localhost:3000/auth/register", {
      method: "POST",
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
    }),
  );
  expect(response.status).toBe(201);
  return (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
}

beforeEach(() => {
  delete scope[INSTANCES];
  created.count = 0;
  scope.nextFixtureOptions = vi.fn(conformanceAuthOptions);
});
afterEach(() => {
  delete scope[INSTANCES];
  delete scope.nextFixtureOptions;
  vi.unstubAllEnvs();
  vi.doUnmock("react");
});

describe("defineAuth", () => {
  it("creates nothing at import: no options read, no createAuth", async () => {
    const lib = await bundle();
    expect(typeof lib.auth).toBe("function");
    expect(scope.nextFixtureOptions).not.toHaveBeenCalled();
    expect(created.count).toBe(0);
    expect(scope[INSTANCES]).toBeUndefined();
  });

  it("gives two module instances (route handlers, server components) one auth instance", async () => {
    const routes = await bundle();
    const pages = await bundle();
    // Really two module instances, as in two Next bundles: each has its own functions.
    expect(pages.auth).not.toBe(routes.auth);
    expect(pages.instance).not.toBe(routes.instance);

    // Sign up through the route handler bundle, with memory storage...
    const cookie = await signUp(routes.handlers);
    // ...and the server component bundle sees the session.
    const session = await inRequest({ cookie }, pages.auth);
    expect(session?.user.email).toBe("ada@example.com");
    const guardedInPages = pages.requireAuth((_request, _context, { user }) =>
      Response.json({ email: user.email }),
    );
    const me = await guardedInPages(
      new Request("http://localhost:3000/api/me", { headers: { cookie } }),
      {},
    );
    expect(await me.json()).toEqual({ email: "ada@example.com" });

    expect(pages.instance()).toBe(routes.instance());
    expect(created.count).toBe(1);
    expect(scope.nextFixtureOptions).toHaveBeenCalledTimes(1);
  });

  it("creates one instance for concurrent first requests", async () => {
    const { defineAuth } = await freshAdapter();
    const { instance, handlers } = defineAuth(create);
    const health = () => handlers.GET(new Request("http://localhost:3000/auth/health"));
    const answers = await Promise.all([health(), health(), instance(), health()]);
    expect(answers.filter((a) => a instanceof Response).map((a) => a.status)).toEqual([
      200, 200, 200,
    ]);
    expect(created.count).toBe(1);
  });

  it("keeps two configurations apart by name, each shared across module instances", async () => {
    const first = await freshAdapter();
    const second = await freshAdapter();
    const main = first.defineAuth(create);
    const admin = first.defineAuth(create, { name: "admin" });
    const adminElsewhere = second.defineAuth(create, { name: "admin" });
    expect(admin.instance()).not.toBe(main.instance());
    expect(adminElsewhere.instance()).toBe(admin.instance());
    expect(second.defineAuth(create).instance()).toBe(main.instance());
    expect(created.count).toBe(2);
    const cookie = await signUp(admin.handlers);
    expect((await inRequest({ cookie }, adminElsewhere.auth))?.user.email).toBe("ada@example.com");
    expect(await inRequest({ cookie }, main.auth)).toBeNull();
  });

  it("`next build` needs no AUTH_SECRET; a production server without one refuses to serve", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("AUTH_SECRET", "");
    const { defineAuth } = await freshAdapter();
    const options = vi.fn(() =>
      createAuth({ baseURL: "https://app.example.com", storage: memoryStorage() }),
    );
    const { auth, handlers, requireAuth } = defineAuth(options);
    const GET = requireAuth(() => new Response("ok"), { redirectTo: "/sign-in" });
    // Prerendering: headers() is what tells Next the page is dynamic, and it is read first.
    await expect(auth()).rejects.toThrow(/outside a request scope/);
    expect(options).not.toHaveBeenCalled();
    expect(created.count).toBe(0);

    // At the first request, createAuth's own production check stops it, every time.
    const request = () => new Request("https://app.example.com/auth/health");
    await expect(handlers.GET(request())).rejects.toThrow(ConfigError);
    await expect(handlers.GET(request())).rejects.toThrow(/secret/);
    await expect(GET(request(), {})).rejects.toThrow(/secret/);
    await expect(inRequest({}, auth)).rejects.toThrow(/secret/);
    expect(scope[INSTANCES]).toEqual(new Map());

    vi.stubEnv("AUTH_SECRET", "a-production-secret-that-is-32-bytes-or-more");
    expect((await handlers.GET(request())).status).toBe(200);
  });

  it("refuses an instance where it wants a function, a function that returns options, and an empty name", async () => {
    const { defineAuth } = await freshAdapter();
    expect(() => defineAuth(create() as never)).toThrow(/takes a function/);
    expect(() => defineAuth(create, { name: "" })).toThrow(/name/);
    const { handlers, instance } = defineAuth(conformanceAuthOptions as never, { name: "typo" });
    expect(() => instance()).toThrow(/must return an instance/);
    await expect(handlers.GET(new Request("http://localhost:3000/auth/health"))).rejects.toThrow(
      /must return an instance/,
    );
  });

  it("looks the caller up once per server render, through React's cache()", async () => {
    const cached = vi.fn(<T>(fn: () => T) => {
      let result: { value: T } | undefined;
      return () => {
        result ??= { value: fn() };
        return result.value;
      };
    });
    vi.doMock("react", () => ({ cache: cached }));
    const { defineAuth } = await freshAdapter();
    const { auth, handlers, instance } = defineAuth(create);
    const cookie = await signUp(handlers);
    const authenticate = vi.spyOn(instance(), "authenticate");
    const [a, b] = await inRequest({ cookie }, () => Promise.all([auth(), auth()]));
    expect(a?.user.email).toBe("ada@example.com");
    expect(b).toBe(a);
    expect(cached).toHaveBeenCalledTimes(1);
    expect(authenticate).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["a React without cache()", () => ({ cache: undefined, default: {} })],
    [
      "no React at all",
      () => {
        throw new Error("Cannot find module 'react'");
      },
    ],
  ])("works with %s", async (_name, react) => {
    vi.doMock("react", react);
    const { defineAuth } = await freshAdapter();
    const { auth, handlers } = defineAuth(create);
    const cookie = await signUp(handlers);
    expect((await inRequest({ cookie }, auth))?.user.email).toBe("ada@example.com");
    expect(await inRequest({}, auth)).toBeNull();
  });
});
