import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { loginInput, type registerInput } from "../../src/flows/password-accounts.js";
import { defineRoute, type Route } from "../../src/http/route.js";
import { routes } from "../../src/http/routes/index.js";
import type { AuthApi, AuthResult } from "../../src/index.js";
import type {
  PerAccountAction,
  PerIPAction,
  RateLimitAction,
} from "../../src/ops/rate-limit-policies.js";

/*
 * Type tests: `tsc --noEmit` (whose tsconfig includes test/) is what checks them, so a wrong
 * type fails the type check. Vitest runs the file too, where the assertions are no-ops.
 */

const ok = async () => new Response(null, { status: 204 });

describe("the route table's types", () => {
  it("hands an auth: true route a caller that is never null", () => {
    defineRoute({
      method: "GET",
      path: "/signed-in",
      auth: true,
      async handle({ caller, body }) {
        expectTypeOf(caller).toEqualTypeOf<AuthResult>();
        expectTypeOf(body).toEqualTypeOf<undefined>();
        // No null check, no runtime assertion: the handler ran the route for a caller only.
        expectTypeOf(caller.user.id).toEqualTypeOf<string>();
        return ok();
      },
    });
  });

  it("hands any other route a null caller", () => {
    defineRoute({
      method: "POST",
      path: "/public",
      async handle({ caller }) {
        expectTypeOf(caller).toEqualTypeOf<null>();
        return ok();
      },
    });
    defineRoute({
      method: "POST",
      path: "/public",
      auth: false,
      async handle({ caller }) {
        // @ts-expect-error a route without `auth: true` has no caller
        caller.user;
        return ok();
      },
    });
  });

  it("types the body as its schema's output", () => {
    defineRoute({
      method: "POST",
      path: "/login",
      body: { schema: loginInput },
      async handle({ body, caller }) {
        expectTypeOf(body).toEqualTypeOf<z.output<typeof loginInput>>();
        expectTypeOf(body.email).toEqualTypeOf<string>();
        expectTypeOf(caller).toEqualTypeOf<null>();
        return ok();
      },
    });
    defineRoute({
      method: "POST",
      path: "/change",
      auth: true,
      body: { schema: z.object({ n: z.coerce.number() }), formats: ["json", "form"] },
      async handle({ body, caller }) {
        expectTypeOf(body).toEqualTypeOf<{ n: number }>();
        expectTypeOf(caller).toEqualTypeOf<AuthResult>();
        return ok();
      },
    });
  });

  it("refuses a body without a schema, and a rate-limit action that does not exist", () => {
    defineRoute({
      method: "POST",
      path: "/formats-only",
      // @ts-expect-error a body declares the schema it must pass
      body: { formats: ["json"] },
      handle: ok,
    });
    defineRoute({
      method: "POST",
      path: "/typo",
      // @ts-expect-error the actions are RATE_LIMIT_POLICIES' names
      rateLimit: ["logon"],
      handle: ok,
    });
  });

  it("erases every route to the one Route type the handler takes", () => {
    expectTypeOf(routes).toEqualTypeOf<Route[]>();
  });
});

describe("the rate-limit actions", () => {
  it("limit per account only where the policy table says so", () => {
    expectTypeOf<PerAccountAction>().toEqualTypeOf<
      "magic-link" | "password-forgot" | "email-change" | "email-verification" | "mfa"
    >();
    expectTypeOf<PerIPAction>().toEqualTypeOf<RateLimitAction>();
  });
});

describe("auth.api's input types", () => {
  it("are the flows' schemas' input types", () => {
    expectTypeOf<Parameters<AuthApi["register"]>[0]>().toEqualTypeOf<
      z.input<typeof registerInput>
    >();
    expectTypeOf<Parameters<AuthApi["login"]>[0]>().toEqualTypeOf<z.input<typeof loginInput>>();
    expectTypeOf<Parameters<AuthApi["login"]>[0]>().toEqualTypeOf<{
      email: string;
      password: string;
    }>();
  });
});
