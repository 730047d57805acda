import * as z from "zod";
import { passwordField } from "../../accounts/fields.js";
import type { ResolvedConfig } from "../../config/config.js";
import type { AuthContext } from "../../context/context.js";
import { authenticateCredential } from "../../credentials/authenticate.js";
import { isAuthError } from "../../errors.js";
import { totpCodeField } from "../../mfa/fields.js";
import { completeSignIn, isCallbackOf } from "../../oauth/callback.js";
import { listLinkedAccounts, unlinkAccount } from "../../oauth/manage.js";
import { oauthEnabled } from "../../oauth/providers.js";
import { type StartedSignIn, startLink, startSignIn } from "../../oauth/start.js";
import { openAttempt, type PendingSignIn } from "../../oauth/state.js";
import { readCookie, serializeCookie } from "../../util/cookies.js";
import { logError } from "../../util/logger.js";
import { redirectTarget } from "../../util/redirect-target.js";
import { errorResponse, json, noContent, redirect } from "../respond.js";
import { defineRoute, type Route, type RouteRequest } from "../route.js";
import { signInResponse } from "../sign-in.js";

/*
 * Social sign-in over HTTP (DESIGN §8). The browser walks it: `GET /oauth/:provider` sends it to
 * the provider with the state cookie; the provider sends it back to `/oauth/:provider/callback`,
 * which opens the session and lands on the allowlisted `redirectTo`. A refused callback opens
 * nothing and lands on that page (or baseURL) with `?error=<code>`; never anywhere else. Clients
 * that send `Accept: application/json` get JSON instead of redirects.
 */

/**
 * The state cookie: named after the session cookie, so it has the `__Host-` prefix whenever
 * that one has (https, host-only), and with it `Path=/`, which the prefix requires and which
 * keeps a sibling subdomain from planting its own attempt (login CSRF by cookie tossing). Over
 * http (development) or with a cookie domain, it is scoped to `basePath`. HttpOnly,
 * SameSite=Lax (the callback is a top-level GET from the provider; Apple's cross-site POST is
 * turned into one, see below), and never given a Domain.
 */
function stateCookieName(config: ResolvedConfig): string {
  return `${config.cookieName}.oauth`;
}

function stateCookie(config: ResolvedConfig, value: string, maxAge: number): string {
  return serializeCookie(stateCookieName(config), value, {
    maxAge,
    path: config.cookieName.startsWith("__Host-") ? "/" : config.basePath,
    httpOnly: true,
    secure: config.secure,
    sameSite: "Lax",
  });
}

/**
 * The cookie is cleared by the callback that answers its attempt (used up, then, whatever the
 * outcome) or when it holds no attempt; a callback for another attempt leaves it alone.
 */
const clearedStateCookie = (config: ResolvedConfig) => stateCookie(config, "", 0);

function wantsJSON(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("application/json");
}

/** The page with `?error=<code>`, so the app can tell the user what went wrong. */
function withError(page: string, error: unknown): string {
  const url = new URL(page);
  url.searchParams.set("error", isAuthError(error) ? error.code : "internal");
  return url.href;
}

/**
 * Runs a browser step of the flow. A failure lands on `page` with `?error=` (an API client gets
 * the error shape); `headers` go with either answer.
 */
async function browserStep(
  request: RouteRequest,
  page: () => string,
  handle: () => Promise<Response>,
  headers: Record<string, string> = {},
): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    const { ctx } = request;
    let response: Response;
    if (wantsJSON(request.request)) {
      response = errorResponse(error, ctx.config.logger);
    } else {
      if (!isAuthError(error)) logError(ctx.config.logger, "internal error", error);
      response = redirect(withError(page(), error));
    }
    for (const [name, value] of Object.entries(headers)) response.headers.append(name, value);
    return response;
  }
}

/** The provider's page, or `{ url }` for a client that asked for JSON; the cookie either way. */
function toProvider(ctx: AuthContext, started: StartedSignIn, json200: boolean): Response {
  const cookie = stateCookie(ctx.config, started.cookie, started.maxAge);
  return json200
    ? json(200, { url: started.url }, { "Set-Cookie": cookie })
    : redirect(started.url, { "Set-Cookie": cookie });
}

const oauth = oauthEnabled;

/** `POST /oauth/:provider/link`: step-up and the landing page, JSON or a form. */
const linkInput = z
  .object({
    currentPassword: passwordField.optional(),
    code: totpCodeField.optional(),
    redirectTo: z.string().max(2048).optional(),
  })
  .nullish()
  .transform((value) => value ?? {});

/** What a provider posts back (`form_post`), forwarded to the GET callback. */
const CALLBACK_PARAMETERS = ["code", "state", "iss", "error", "error_description", "error_uri"];

async function callback(request: RouteRequest): Promise<Response> {
  const { ctx, url, params, info, credential } = request;
  const provider = params.provider as string;
  const sealed = readCookie(request.request.headers.get("cookie"), stateCookieName(ctx.config));
  const pending: PendingSignIn | null = await openAttempt(ctx, sealed);
  const landing = () => redirectTarget(ctx.config, pending?.redirectTo);
  const over =
    sealed !== null && (pending === null || isCallbackOf(pending, provider, url.searchParams));
  const cleared: Record<string, string> = over
    ? { "Set-Cookie": clearedStateCookie(ctx.config) }
    : {};
  return browserStep(
    request,
    landing,
    async () => {
      const caller = pending?.linkUserId ? await authenticateCredential(ctx, credential) : null;
      const outcome = await completeSignIn(
        ctx,
        provider,
        { params: url.searchParams, pending, caller },
        info,
      );
      const asJSON = wantsJSON(request.request);
      let response: Response;
      if (outcome.kind === "linked") {
        response = asJSON ? json(200, { account: outcome.account }) : redirect(outcome.redirectTo);
      } else {
        response = await signInResponse(request, outcome.result, {
          status: outcome.registered ? 201 : 200,
          redirectTo: asJSON ? null : outcome.redirectTo,
        });
      }
      for (const [name, value] of Object.entries(cleared)) response.headers.append(name, value);
      return response;
    },
    cleared,
  );
}

export const oauthRoutes: Route[] = [
  // Before `/oauth/:provider`, which would match it too ("accounts" is no provider id).
  defineRoute({
    method: "GET",
    path: "/oauth/accounts",
    auth: true,
    feature: oauth,
    async handle({ ctx, caller }) {
      return json(200, { accounts: await listLinkedAccounts(ctx, caller.user.id) });
    },
  }),
  defineRoute({
    method: "DELETE",
    path: "/oauth/accounts/:id",
    auth: true,
    feature: oauth,
    async handle({ ctx, caller, params, info }) {
      await unlinkAccount(ctx, caller.user.id, params.id as string, info);
      return noContent();
    },
  }),
  defineRoute({
    // A navigation ("Sign in with ..."): it stores an attempt, so a HEAD does not run it.
    method: "GET",
    path: "/oauth/:provider",
    changesState: true,
    feature: oauth,
    rateLimit: ["oauth-start"],
    async handle(request) {
      const { ctx, url, params, info } = request;
      const redirectTo = url.searchParams.get("redirectTo");
      return browserStep(
        request,
        () => redirectTarget(ctx.config, redirectTo),
        async () => {
          const started = await startSignIn(ctx, params.provider as string, { redirectTo }, info);
          return toProvider(ctx, started, wantsJSON(request.request));
        },
      );
    },
  }),
  defineRoute({
    method: "POST",
    path: "/oauth/:provider/link",
    auth: true,
    feature: oauth,
    body: { schema: linkInput, formats: ["json", "form"], optional: true },
    rateLimit: ["oauth-start"],
    async handle(request) {
      const { ctx, caller, params, body, info } = request;
      // A fetch() from the app's page gets `{ url }` to send the browser to; a form, a 302.
      const type = (request.request.headers.get("content-type") ?? "").toLowerCase();
      const asJSON =
        wantsJSON(request.request) || !type.startsWith("application/x-www-form-urlencoded");
      const started = await startLink(
        ctx,
        { userId: caller.user.id, signedInAt: new Date(caller.session.createdAt) },
        params.provider as string,
        body,
        info,
      );
      return toProvider(ctx, started, asJSON);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/oauth/:provider/callback",
    changesState: true,
    feature: oauth,
    rateLimit: ["oauth-callback"],
    handle: callback,
  }),
  defineRoute({
    // `form_post` (Sign in with Apple): the provider's page POSTs the answer, cross-site, and
    // SameSite=Lax keeps the state cookie out of such a POST. So this route changes nothing: it
    // sends the browser on to the GET callback with the same parameters (a top-level GET, which
    // carries the cookie), where every check happens. A code in the URL is what `query` mode
    // sends anyway, and it is single-use and bound to the PKCE verifier in the cookie.
    method: "POST",
    path: "/oauth/:provider/callback",
    feature: oauth,
    crossSitePost: true,
    body: { schema: z.record(z.string(), z.string()), formats: ["form"] },
    async handle({ ctx, params, body }) {
      const target = new URL(
        `${ctx.config.basePath}/oauth/${encodeURIComponent(params.provider as string)}/callback`,
        ctx.config.origin,
      );
      for (const name of CALLBACK_PARAMETERS) {
        const value = body[name];
        if (typeof value === "string") target.searchParams.set(name, value);
      }
      return new Response(null, { status: 303, headers: { Location: target.href } });
    },
  }),
];
