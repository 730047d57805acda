import { readdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { AUTH_METHODS, honoAuth, requireAuth, withAuth } from "../../adapters/hono/index.js";
import { type Auth, createAuth, safeRedirectPath } from "../../src/index.js";
import { sitePath } from "../../src/util/safe-path.js";
import { PASSWORD } from "../helpers.js";
import {
  CONFORMANCE_ORIGIN,
  type ConformanceServer,
  conformanceAuthOptions,
  httpConformance,
} from "./conformance.js";

async function listen(app: Hono): Promise<ConformanceServer> {
  let server: ReturnType<typeof serve> | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
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

/** The conformance app; `readBodyFirst` adds middleware that parses JSON before the handler. */
function conformanceApp(readBodyFirst: boolean, auth = createAuth(conformanceAuthOptions())) {
  const app = new Hono();
  if (readBodyFirst) {
    app.use(async (c, next) => {
      if (c.req.header("content-type")?.includes("json")) await c.req.json().catch(() => null);
      await next();
    });
  }
  app.on(
    AUTH_METHODS,
    "/auth/*",
    honoAuth(auth, { getClientIP: (c) => getConnInfo(c).remote.address }),
  );
  app.get("/api/me", requireAuth(auth), (c) => c.json({ user: c.get("auth")?.user }));
  app.post("/api/echo", async (c) => c.json({ body: await c.req.json() }));
  app.get("/private", requireAuth(auth, { redirectTo: "/sign-in" }), (c) => c.text("private"));
  return app;
}

httpConformance("hono on @hono/node-server", () => listen(conformanceApp(false)), {
  pageGuard: true,
});
httpConformance(
  "hono, a middleware read the JSON body before the handler",
  () => listen(conformanceApp(true)),
  { pageGuard: true },
);

describe("portcullis/hono specifics", () => {
  let server: ConformanceServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function boot(setup: (app: Hono, auth: Auth) => void, auth?: Auth) {
    const resolved = auth ?? createAuth(conformanceAuthOptions());
    const app = new Hono();
    setup(app, resolved);
    server = await listen(app);
    return { auth: resolved, baseURL: server.baseURL };
  }

  async function signUp(baseURL: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${baseURL}/auth/register`, {
      method: "POST",
      body: JSON.stringify({ email: "ada@example.com", password: PASSWORD }),
      headers: { origin: CONFORMANCE_ORIGIN, "content-type": "application/json", ...headers },
    });
    expect(response.status).toBe(201);
    return (response.headers.getSetCookie()[0] as string).split(";")[0] as string;
  }

  async function sessionIP(baseURL: string, cookie: string) {
    const session = await fetch(`${baseURL}/auth/session`, { headers: { cookie } });
    return ((await session.json()) as { session: { ip: string | null } }).session.ip;
  }

  it("passes getClientIP's socket address to the core, ignoring a spoofed X-Forwarded-For", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.on(
        AUTH_METHODS,
        "/auth/*",
        honoAuth(auth, { getClientIP: (c) => getConnInfo(c).remote.address }),
      );
    });
    const cookie = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(await sessionIP(baseURL, cookie)).toMatch(/127\.0\.0\.1$/);
  });

  it("believes X-Forwarded-For only from a trusted proxy", async () => {
    const auth = createAuth({ ...conformanceAuthOptions(), trustedProxies: ["127.0.0.1"] });
    const { baseURL } = await boot((app) => {
      app.on(
        AUTH_METHODS,
        "/auth/*",
        honoAuth(auth, { getClientIP: (c) => getConnInfo(c).remote.address }),
      );
    }, auth);
    const cookie = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(await sessionIP(baseURL, cookie)).toBe("203.0.113.7");
  });

  it("without getClientIP the session records no address rather than a guessed one", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.on(AUTH_METHODS, "/auth/*", honoAuth(auth));
    });
    const cookie = await signUp(baseURL, { "x-forwarded-for": "203.0.113.7" });
    expect(await sessionIP(baseURL, cookie)).toBeNull();
  });

  it("mounts as a sub-app with app.route, and leaves look-alike paths to the app", async () => {
    const { baseURL } = await boot((app, auth) => {
      const authApp = new Hono();
      authApp.all("/*", honoAuth(auth));
      app.route("/auth", authApp);
      app.get("/authors", (c) => c.text("authors"));
    });
    expect((await fetch(`${baseURL}/auth/health`)).status).toBe(200);
    expect(await (await fetch(`${baseURL}/authors`)).text()).toBe("authors");
  });

  it("withAuth sets c.get('auth') to the caller or null, and never rejects", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.on(AUTH_METHODS, "/auth/*", honoAuth(auth));
      app.use("/whoami", withAuth(auth));
      app.get("/whoami", (c) => {
        const caller = c.get("auth");
        return c.json({ email: caller?.user.email ?? null, isNull: caller === null });
      });
    });
    expect(await (await fetch(`${baseURL}/whoami`)).json()).toEqual({ email: null, isNull: true });
    const cookie = await signUp(baseURL);
    const me = await fetch(`${baseURL}/whoami`, { headers: { cookie } });
    expect(await me.json()).toEqual({ email: "ada@example.com", isNull: false });
  });

  it("requireAuth after withAuth authenticates once per request", async () => {
    const auth = createAuth(conformanceAuthOptions());
    let calls = 0;
    const counting: Auth = {
      ...auth,
      authenticate: (headers) => {
        calls += 1;
        return auth.authenticate(headers);
      },
    };
    const { baseURL } = await boot((app) => {
      app.on(AUTH_METHODS, "/auth/*", honoAuth(auth));
      app.get("/me", withAuth(counting), requireAuth(counting), (c) => c.text("ok"));
    }, auth);
    const cookie = await signUp(baseURL);
    calls = 0;
    expect((await fetch(`${baseURL}/me`, { headers: { cookie } })).status).toBe(200);
    expect(calls).toBe(1);
  });

  it("the page guard keeps the asked-for path in ?next=, and never caches", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.get("/private", requireAuth(auth, { redirectTo: "/sign-in" }), (c) => c.text("ok"));
    });
    const res = await fetch(`${baseURL}/private?tab=2`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(
      `/sign-in?next=${encodeURIComponent("/private?tab=2")}`,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("fails closed when storage is down: the guard answers 401, not 500", async () => {
    const options = conformanceAuthOptions();
    const auth = createAuth(options);
    const { baseURL } = await boot((app) => {
      app.on(AUTH_METHODS, "/auth/*", honoAuth(auth));
      app.get("/api/me", requireAuth(auth), (c) => c.json({ user: c.get("auth")?.user }));
    }, auth);
    const cookie = await signUp(baseURL);
    options.storage.sessions.get = async () => {
      throw new Error("database is down");
    };
    const res = await fetch(`${baseURL}/api/me`, { headers: { cookie } });
    expect(res.status).toBe(401);
  });

  it("rejects a redirectTo that is not a path at setup", () => {
    const auth = createAuth(conformanceAuthOptions());
    expect(() => requireAuth(auth, { redirectTo: "https://evil.example" })).toThrow(/path/);
  });

  it("rejects at setup a redirectTo that only looks like a path: /\\host, tab, dot segments", () => {
    const auth = createAuth(conformanceAuthOptions());
    for (const redirectTo of [
      "/\\evil.example",
      "/\t/evil.example",
      "/%09/evil.example",
      "/%5Cevil.example",
      "/.//evil.example",
      "//evil.example",
    ]) {
      expect(() => requireAuth(auth, { redirectTo }), redirectTo).toThrow(/path/);
    }
  });

  it("GET //evil.example/x: the ?next= it hands the sign-in page stays on the site", async () => {
    const { baseURL } = await boot((app, auth) => {
      app.get("*", requireAuth(auth, { redirectTo: "/sign-in" }), (c) => c.text("ok"));
    });
    const site = new URL(baseURL).origin;
    for (const path of ["//evil.example/x", "//evil.example/x?y=1", "/\\evil.example/x"]) {
      // fetch keeps `//evil.example/x` as the path of a request to this server.
      const res = await fetch(`${baseURL}${path}`, { redirect: "manual" });
      expect(res.status, path).toBe(303);
      const location = new URL(res.headers.get("location") ?? "", baseURL);
      expect(location.origin, path).toBe(site);
      expect(location.pathname, path).toBe("/sign-in");
      const next = location.searchParams.get("next") as string;
      expect(sitePath(next), `${path} -> next=${next}`).toBe(next);
      expect(safeRedirectPath(next, "/fallback"), path).toBe(next);
      // What a sign-in page does with it: the browser stays here.
      expect(new URL(next, `${baseURL}/sign-in`).origin, path).toBe(site);
    }
  });

  it("the same on an edge runtime (app.fetch), and the page keeps its own #fragment last", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = new Hono();
    app.get("*", requireAuth(auth, { redirectTo: "/sign-in?from=guard#form" }), (c) =>
      c.text("ok"),
    );
    const res = await app.fetch(new Request("http://localhost:3000//evil.example/x"));
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toBe("/sign-in?from=guard&next=%2F#form");
    const kept = await app.fetch(new Request("http://localhost:3000/private?tab=2"));
    expect(kept.headers.get("location")).toBe(
      `/sign-in?from=guard&next=${encodeURIComponent("/private?tab=2")}#form`,
    );
  });

  it("imports no node: module and nothing from hono at runtime, so it runs on edge runtimes", async () => {
    const dir = new URL("../../adapters/hono/", import.meta.url);
    for (const file of await readdir(dir)) {
      const source = await readFile(new URL(file, dir), "utf8");
      expect(source, file).not.toMatch(/from "node:/);
      for (const line of source.split("\n").filter((l) => /from "hono/.test(l))) {
        expect(line, file).toMatch(/^import type /);
      }
    }
  });

  it("serves through app.fetch with no server at all, as on an edge runtime", async () => {
    const auth = createAuth(conformanceAuthOptions());
    const app = new Hono();
    app.on(AUTH_METHODS, "/auth/*", honoAuth(auth));
    const res = await app.fetch(new Request("http://localhost:3000/auth/health"));
    expect(res.status).toBe(200);
  });
});
