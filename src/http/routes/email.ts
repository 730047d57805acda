import type { AuthContext } from "../../context.js";
import { isAuthError } from "../../errors.js";
import { confirmEmailChange, requestEmailChange } from "../../flows/email-change.js";
import { requestEmailVerification, verifyEmail } from "../../flows/email-verification.js";
import { requestMagicLink, verifyLoginCode, verifyMagicLink } from "../../flows/magic-link.js";
import { forgotPassword, resetPassword } from "../../flows/password-reset.js";
import { redirectTarget } from "../../flows/redirect-target.js";
import { errorResponse, json, noContent } from "../respond.js";
import { caller, type Route, type RouteRequest } from "../route.js";
import { clearedSessionCookie, sessionCookie } from "../session-cookie.js";
import { endPresentedSession, signedInResponse } from "./account.js";

/** Links opened from a mail client are browser navigations; API clients ask for JSON. */
function wantsJSON(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("application/json");
}

function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 302, headers: { Location: location, ...headers } });
}

/** The page with `?error=<code>` added, so the app can tell the user what went wrong. */
function withError(page: string, error: unknown): string {
  const url = new URL(page);
  url.searchParams.set("error", isAuthError(error) ? error.code : "internal");
  return url.href;
}

/**
 * Runs a link route. A browser that followed a bad or used link lands on the app's page with
 * `?error=`, not on a JSON error; an API client gets the usual error response.
 */
async function linkRoute(
  request: RouteRequest,
  page: (ctx: AuthContext) => string,
  handle: () => Promise<Response>,
): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    if (wantsJSON(request.request)) return errorResponse(error);
    if (!isAuthError(error)) console.error("[portcullis] internal error:", error);
    return redirect(withError(page(request.ctx), error));
  }
}

const queryToken = (url: URL) => url.searchParams.get("token");

export const emailRoutes: Route[] = [
  {
    method: "POST",
    path: "/magic-link",
    body: ["json"],
    async handle({ ctx, body, info }) {
      await requestMagicLink(ctx, body, info);
      return noContent(202);
    },
  },
  {
    method: "GET",
    path: "/magic-link/verify",
    async handle(request) {
      const { ctx, url, info, credential } = request;
      const requested = url.searchParams.get("redirectTo");
      return linkRoute(
        request,
        (c) => redirectTarget(c.config, requested),
        async () => {
          const signedIn = await verifyMagicLink(
            ctx,
            { token: queryToken(url), redirectTo: requested },
            info,
          );
          await endPresentedSession(ctx, credential);
          if (wantsJSON(request.request)) return signedInResponse(ctx, 200, signedIn);
          const cookie = sessionCookie(
            ctx.config,
            signedIn.token,
            signedIn.session.absoluteExpiresAt,
            ctx.now(),
          );
          return redirect(signedIn.redirectTo, { "Set-Cookie": cookie });
        },
      );
    },
  },
  {
    method: "POST",
    path: "/magic-link/verify-code",
    body: ["json"],
    async handle({ ctx, body, info, credential }) {
      const signedIn = await verifyLoginCode(ctx, body, info);
      await endPresentedSession(ctx, credential);
      return signedInResponse(ctx, 200, signedIn);
    },
  },
  {
    method: "GET",
    path: "/email/verify",
    async handle(request) {
      const { ctx, url } = request;
      const page = (c: AuthContext) =>
        redirectTarget(c.config, c.config.emailVerification.redirectTo);
      return linkRoute(request, page, async () => {
        const user = await verifyEmail(ctx, queryToken(url));
        if (wantsJSON(request.request)) return json(200, { user });
        return redirect(page(ctx));
      });
    },
  },
  {
    method: "POST",
    path: "/email/verify/request",
    auth: true,
    async handle(request) {
      await requestEmailVerification(request.ctx, caller(request).user.id, request.info);
      return noContent(202);
    },
  },
  {
    method: "POST",
    path: "/password/forgot",
    body: ["json"],
    async handle({ ctx, body, info }) {
      await forgotPassword(ctx, body, info);
      return noContent(202);
    },
  },
  {
    method: "POST",
    path: "/password/reset",
    body: ["json"],
    async handle({ ctx, body, info }) {
      await resetPassword(ctx, body, info);
      // Every session ended, this browser's too.
      return noContent(204, { "Set-Cookie": clearedSessionCookie(ctx.config) });
    },
  },
  {
    method: "POST",
    path: "/email/change",
    auth: true,
    body: ["json"],
    async handle(request) {
      const { user, session } = caller(request);
      await requestEmailChange(
        request.ctx,
        { userId: user.id, sessionCreatedAt: new Date(session.createdAt) },
        request.body,
        request.info,
      );
      return noContent(202);
    },
  },
  {
    method: "GET",
    path: "/email/change/verify",
    async handle(request) {
      const { ctx, url } = request;
      const page = (c: AuthContext) => redirectTarget(c.config, c.config.emailChange.redirectTo);
      return linkRoute(request, page, async () => {
        const user = await confirmEmailChange(ctx, queryToken(url));
        if (wantsJSON(request.request)) return json(200, { user });
        return redirect(page(ctx));
      });
    },
  },
];
