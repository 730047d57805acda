/*
 * Type tests for the framework adapters, checked by `tsc --noEmit` (tsconfig includes test/; the
 * file is not a vitest test and never runs). A handler behind each adapter's guard sees the
 * caller non-null without `!` or `?.`; before a guard, or behind `withAuth`, it is nullable.
 */
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { expectTypeOf } from "vitest";
import * as expressAdapter from "../../adapters/express/index.js";
import * as fastifyAdapter from "../../adapters/fastify/index.js";
import * as honoAdapter from "../../adapters/hono/index.js";
import * as nextAdapter from "../../adapters/next/index.js";
import { type Auth, type AuthResult, createAuth, memoryStorage } from "../../src/index.js";

declare const auth: Auth;

// Hono: the guard's variables flow into the handler chained after it.
{
  const { requireAuth, withAuth, authHandler, AUTH_METHODS } = honoAdapter;
  const app = new Hono();
  app.on(AUTH_METHODS, "/auth/*", authHandler(auth));
  app.get("/api/me", requireAuth(auth), (c) => {
    expectTypeOf(c.get("auth")).toEqualTypeOf<AuthResult>();
    expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult>();
    return c.json({ id: c.get("auth").user.id });
  });
  app.get("/page", requireAuth(auth, { redirectTo: "/sign-in" }), (c) =>
    c.text(c.get("auth").user.email),
  );
  app.get("/maybe", withAuth(auth), (c) => {
    expectTypeOf(c.get("auth")).toEqualTypeOf<AuthResult | null>();
    // @ts-expect-error behind withAuth the caller may be null
    return c.text(c.get("auth").user.email);
  });
  app.get("/both", withAuth(auth), requireAuth(auth), (c) => c.text(c.get("auth").user.email));
  app.get("/plain", (c) => {
    // Without a guard in the route, ContextVariableMap still types it, nullable.
    expectTypeOf(c.get("auth")).toEqualTypeOf<AuthResult | null>();
    return c.text("ok");
  });
}

// Express: `authed(req)` is the caller, non-null; `req.auth` stays nullable.
{
  const { authHandler, authed, requireAuth, withAuth } = expressAdapter;
  const app = express();
  app.use(authHandler(auth));
  app.get("/api/me", requireAuth(auth), (req, res) => {
    expectTypeOf(authed(req)).toEqualTypeOf<AuthResult>();
    expectTypeOf(req.auth).toEqualTypeOf<AuthResult | null | undefined>();
    res.json({ user: authed(req).user });
  });
  app.get(
    "/custom",
    requireAuth(auth, { property: "portcullis", redirectTo: "/sign-in" }),
    (req, res) => {
      res.send(authed(req).user.email);
    },
  );
  app.use(withAuth(auth, { property: "portcullis" }));
  expectTypeOf<expressAdapter.AuthedRequest["auth"]>().toEqualTypeOf<AuthResult>();
}

// Fastify: the same accessor; `request.auth` stays nullable.
async () => {
  const { authHandler, authed, fastifyAuth, requireAuth, withAuth } = fastifyAdapter;
  const app = Fastify();
  await app.register(authHandler(auth));
  await app.register(authHandler(auth, { property: "portcullis" }));
  await app.register(fastifyAuth, { auth });
  app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => {
    expectTypeOf(authed(request)).toEqualTypeOf<AuthResult>();
    expectTypeOf(request.auth).toEqualTypeOf<AuthResult | null>();
    return { user: authed(request).user };
  });
  app.get("/maybe", { preHandler: withAuth(auth) }, async (request) => request.auth?.user.email);
  // @ts-expect-error the plugin takes the instance, not options
  authHandler({ auth });
};

// Next.js: defineAuth's helpers, typed from the options factory.
{
  const { defineAuth, authHandler, getAuth, requireAuth } = nextAdapter;
  const defined = defineAuth(() => createAuth({ storage: memoryStorage() }), { name: "admin" });
  expectTypeOf(defined.auth).toEqualTypeOf<() => Promise<AuthResult | null>>();
  expectTypeOf(defined.instance).toEqualTypeOf<() => Auth>();
  expectTypeOf(defined.handlers).toEqualTypeOf<nextAdapter.NextRouteHandlers>();
  const GET = defined.requireAuth(
    async (_request, context: { params: Promise<{ id: string }> }, caller) => {
      expectTypeOf(caller).toEqualTypeOf<AuthResult>();
      return Response.json({ id: (await context.params).id, user: caller.user });
    },
  );
  expectTypeOf(GET).parameter(1).toEqualTypeOf<{ params: Promise<{ id: string }> }>();
  // @ts-expect-error defineAuth takes a function, so nothing is created at import
  defineAuth(createAuth({ storage: memoryStorage() }));
  // @ts-expect-error the function returns an instance, not options
  defineAuth(() => ({ storage: memoryStorage() }));
  // The lower-level helpers take an instance or `instance`.
  authHandler(auth);
  authHandler(defined.instance);
  expectTypeOf(getAuth(defined.instance)).toEqualTypeOf<() => Promise<AuthResult | null>>();
  requireAuth(auth, (_request, _context, { user }) => Response.json({ user }));
}
