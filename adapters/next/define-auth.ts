import { ConfigError } from "../../src/config-error.js";
import type { Auth, AuthResult } from "../../src/index.js";
import { getAuth } from "./get-auth.js";
import { type GuardedRouteHandler, type RequireAuthOptions, requireAuth } from "./require-auth.js";
import { authHandler, type NextHandlerOptions, type NextRouteHandlers } from "./route-handler.js";

/**
 * Where the instances live: one `Map` from name to instance on `globalThis`, found through
 * `Symbol.for`, so every copy of this module shares it. Next bundles route handlers, server
 * components and server actions separately, each with its own module instances; a module-scope
 * `createAuth` ran once per bundle, each instance with its own state.
 */
const INSTANCES = Symbol.for("portcullis.next");

function instances(): Map<string, Auth> {
  const scope = globalThis as { [INSTANCES]?: Map<string, Auth> };
  scope[INSTANCES] ??= new Map();
  return scope[INSTANCES];
}

export interface DefineAuthOptions extends NextHandlerOptions {
  /**
   * The instance's key, for two configurations in one app (say "admin" next to the default).
   * Every `defineAuth` with the same name in the process shares one instance: the first one
   * used creates it.
   * @default "default"
   */
  name?: string;
}

export interface DefinedAuth {
  /**
   * The signed-in caller, or null, in server components, route handlers and server actions:
   * `const session = await auth()`. Once per server render (React's `cache()`); fails closed.
   * When storage is down it throws `AuthError("unavailable")` rather than answer null, so a page
   * does not send a signed-in visitor to sign in (`getAuth(instance, { onUnavailable: "null" })`
   * reads an outage as null).
   */
  auth: () => Promise<AuthResult | null>;
  /** For `app/auth/[...all]/route.ts`: `export const { GET, POST, PATCH, DELETE, OPTIONS } = handlers`. */
  handlers: NextRouteHandlers;
  /**
   * Guards a route handler; the handler gets the caller, never null, as its third argument:
   * `export const GET = requireAuth((request, context, { user }) => Response.json({ user }))`.
   */
  requireAuth: <Context = unknown>(
    handler: GuardedRouteHandler<Context>,
    options?: RequireAuthOptions,
  ) => (request: Request, context: Context) => Promise<Response>;
  /**
   * The instance itself, for `instance().api.*` in server actions and scripts; created on the
   * first call of any of these functions (the only time `create` runs).
   */
  instance: () => Auth;
}

/**
 * The one Portcullis instance of a Next.js app, defined once in `lib/auth.ts`:
 *
 * ```ts
 * export const { auth, handlers, requireAuth, instance } = defineAuth(() =>
 *   createAuth({ storage: sqliteStorage({ path: "portcullis.db" }) }), // AUTH_URL, AUTH_SECRET
 * );
 * ```
 *
 * `create` runs on first use (a request, an `auth()`), never at import: `next build` needs no
 * `AUTH_SECRET`, while a production server without one still refuses to serve (createAuth's own
 * check, at the first request). The instance is kept on `globalThis` under `name`, so route
 * handlers, server components and server actions share it (and so does a module the dev server
 * reloads: restart it after changing the options). `create` is a function, not an instance, so
 * that `portcullis/next`, which `proxy.ts` imports too, never loads the core on the edge.
 */
export function defineAuth(create: () => Auth, options: DefineAuthOptions = {}): DefinedAuth {
  if (typeof create !== "function") {
    throw new ConfigError(
      "portcullis/next: defineAuth takes a function that creates the instance, () => createAuth({ ... }), so it is created at the first request and not at import",
    );
  }
  const { name = "default", ...handlerOptions } = options;
  if (typeof name !== "string" || name === "") {
    throw new ConfigError("portcullis/next: defineAuth's name must be a non-empty string");
  }

  function instance(): Auth {
    const all = instances();
    let auth = all.get(name);
    if (auth === undefined) {
      auth = create(); // a ConfigError from createAuth propagates, and nothing is kept
      if (typeof (auth as Partial<Auth> | null)?.authenticate !== "function") {
        throw new ConfigError(
          "portcullis/next: defineAuth's function must return an instance: () => createAuth({ ... })",
        );
      }
      all.set(name, auth);
    }
    return auth;
  }

  return {
    auth: getAuth(instance),
    handlers: authHandler(instance, handlerOptions),
    requireAuth: (handler, guardOptions) => requireAuth(instance, handler, guardOptions),
    instance,
  };
}
