import * as z from "zod";
import type { AuthContext } from "../../context/context.js";
import { AuthError, isAuthError } from "../../errors.js";
import {
  cancelEmailChange,
  confirmEmailChange,
  emailChangeInput,
  requestEmailChange,
} from "../../flows/email-change.js";
import { requestEmailVerification, verifyEmail } from "../../flows/email-verification.js";
import {
  loginCodeInput,
  magicLinkInput,
  requestMagicLink,
  verifyLoginCode,
  verifyMagicLink,
} from "../../flows/magic-link.js";
import { invalidToken, requireFeature } from "../../flows/one-time-token.js";
import {
  forgotPassword,
  forgotPasswordInput,
  resetPassword,
  resetPasswordInput,
} from "../../flows/password-reset.js";
import { escapeHtml } from "../../mail/escape.js";
import { readCookie } from "../../util/cookies.js";
import { logError } from "../../util/logger.js";
import { allowedRedirect, redirectTarget } from "../../util/redirect-target.js";
import { parseInput } from "../../validation.js";
import { errorResponse, json, noContent, redirect } from "../respond.js";
import { defineRoute, type Route, type RouteRequest } from "../route.js";
import {
  clearedRegistrationCookie,
  clearedSessionCookie,
  registrationCookieName,
} from "../session-cookie.js";
import { presentedProver, signInResponse } from "../sign-in.js";

/** Links opened from a mail client are browser navigations; API clients ask for JSON. */
function wantsJSON(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("application/json");
}

/** A POST from an API client: it asks for JSON or sends it; a form post is a browser's. */
function answersJSON(request: Request): boolean {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  return wantsJSON(request) || type === "application/json";
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
  json = wantsJSON(request.request),
): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    if (json) return errorResponse(error, request.ctx.config.logger);
    if (!isAuthError(error)) logError(request.ctx.config.logger, "internal error", error);
    return redirect(withError(page(request.ctx), error));
  }
}

const queryToken = (url: URL) => url.searchParams.get("token");

/**
 * Uses a magic link and answers the sign-in: `200 { user }` + cookie to a JSON client, a 302 to
 * the allowlisted page + cookie to a browser. Whatever session the browser presented ends.
 */
async function magicSignIn(
  request: RouteRequest,
  input: { token: unknown; redirectTo: string | null },
  json: boolean,
): Promise<Response> {
  const { ctx, info, credential } = request;
  const prover = await presentedProver(ctx, credential);
  const signedIn = await verifyMagicLink(ctx, input, info, prover);
  return signInResponse(request, signedIn, {
    status: 200,
    redirectTo: json ? null : signedIn.redirectTo,
  });
}

/** The confirmation POST's body, JSON or form-encoded; the token's shape is the flow's check. */
const magicLinkConfirmInput = z.object({
  token: z.unknown(),
  redirectTo: z.string().max(2048).optional(),
});

/*
 * The library's own confirmation page (magicLink.confirm without a confirmPage): one button that
 * POSTs the token. Self-contained (no script, no external resource) and locked down by its CSP;
 * not frameable, so nobody can trick a click on it. The handler sends `Referrer-Policy:
 * no-referrer` with every answer, and under that policy browsers send `Origin: null` even on a
 * same-origin form POST, which the CSRF check refuses: the page sets its own policy,
 * strict-origin, so the POST carries the real Origin (and the Referer never the token).
 */
const CONFIRM_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function confirmationPage(ctx: AuthContext, token: string, redirectTo: string | null): Response {
  const title = escapeHtml(`Sign in to ${ctx.mail.appName}`);
  const action = escapeHtml(`${ctx.config.basePath}/magic-link/verify`);
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>Press the button to finish signing in.</p>
<form method="post" action="${action}">
${hidden("token", token)}
${redirectTo ? hidden("redirectTo", redirectTo) : ""}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
  return new Response(page, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": CONFIRM_PAGE_CSP,
      "X-Frame-Options": "DENY",
    },
  });
}

/**
 * With magicLink.confirm, what a GET of the link gets instead of a sign-in: nothing is used up.
 * A JSON client gets `200 { confirmRequired: true }`; a browser is sent to `confirmPage` with
 * `?token=` (and `&redirectTo=`), or gets the library's page.
 */
function confirmationStep(request: RouteRequest, redirectTo: string | null): Response {
  const { ctx, url } = request;
  requireFeature(ctx.mail.features.magicLink);
  const token = queryToken(url);
  if (!token) throw invalidToken();
  if (wantsJSON(request.request)) return json(200, { confirmRequired: true });
  const { confirmPage } = ctx.config.magicLink;
  if (confirmPage === undefined) return confirmationPage(ctx, token, redirectTo);
  const allowed = allowedRedirect(ctx.config, confirmPage);
  if (allowed === null) {
    throw new AuthError("internal", "magicLink.confirmPage is not an allowed page");
  }
  const target = new URL(allowed);
  target.searchParams.set("token", token);
  if (redirectTo) target.searchParams.set("redirectTo", redirectTo);
  return redirect(target.href);
}

const magicLinks = (ctx: AuthContext) => ctx.mail.features.magicLink;
const passwordReset = (ctx: AuthContext) => ctx.mail.features.passwordReset;
const emailChange = (ctx: AuthContext) => ctx.mail.features.emailChange;

export const emailRoutes: Route[] = [
  defineRoute({
    method: "POST",
    path: "/magic-link",
    feature: magicLinks,
    body: { schema: magicLinkInput },
    rateLimit: ["magic-link"],
    async handle({ ctx, body, info }) {
      await requestMagicLink(ctx, body, info);
      return noContent(202);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/magic-link/verify",
    changesState: true,
    async handle(request) {
      const { ctx, url } = request;
      const requested = url.searchParams.get("redirectTo");
      return linkRoute(
        request,
        (c) => redirectTarget(c.config, requested),
        async () => {
          if (ctx.config.magicLink.confirm) return confirmationStep(request, requested);
          return magicSignIn(
            request,
            { token: queryToken(url), redirectTo: requested },
            wantsJSON(request.request),
          );
        },
      );
    },
  }),
  defineRoute({
    // The confirmation of a magic link: what the confirmation page (the library's or the app's)
    // submits. Served whether or not magicLink.confirm is on, so apps may always build their own.
    method: "POST",
    path: "/magic-link/verify",
    // Checked by the route, not the handler: a browser whose form fails the check lands on the
    // app's page with `?error=`, like any other failure of the link (`linkRoute`).
    body: { schema: z.unknown(), formats: ["json", "form"] },
    async handle(request) {
      const json = answersJSON(request.request);
      let requested: string | null = null;
      return linkRoute(
        request,
        (c) => redirectTarget(c.config, requested),
        async () => {
          const input = parseInput(magicLinkConfirmInput, request.body);
          requested = input.redirectTo || null;
          return magicSignIn(request, { token: input.token, redirectTo: requested }, json);
        },
        json,
      );
    },
  }),
  defineRoute({
    method: "POST",
    path: "/magic-link/verify-code",
    feature: magicLinks,
    body: { schema: loginCodeInput },
    rateLimit: ["login-code"],
    async handle(request) {
      const { ctx, body, info, credential } = request;
      const prover = await presentedProver(ctx, credential);
      const signedIn = await verifyLoginCode(ctx, body, info, prover);
      return signInResponse(request, signedIn, { status: 200 });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/email/verify",
    changesState: true,
    async handle(request) {
      const { ctx, url } = request;
      const page = (c: AuthContext) =>
        redirectTarget(c.config, c.config.emailVerification.redirectTo);
      return linkRoute(request, page, async () => {
        const { session } = await presentedProver(ctx, request.credential);
        const registrationBinding = readCookie(
          request.request.headers.get("cookie"),
          registrationCookieName(ctx.config),
        );
        const user = await verifyEmail(ctx, queryToken(url), { session, registrationBinding });
        // The binding has done its one job.
        const headers = registrationBinding
          ? { "Set-Cookie": clearedRegistrationCookie(ctx.config) }
          : undefined;
        if (wantsJSON(request.request)) return json(200, { user }, headers);
        return redirect(page(ctx), headers);
      });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/email/verify/request",
    auth: true,
    feature: (ctx) => ctx.mail.features.emailVerification,
    rateLimit: ["email-verification"],
    async handle({ ctx, caller, info }) {
      await requestEmailVerification(ctx, caller.user.id, info);
      return noContent(202);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/password/forgot",
    feature: passwordReset,
    body: { schema: forgotPasswordInput },
    rateLimit: ["password-forgot"],
    async handle({ ctx, body, info }) {
      await forgotPassword(ctx, body, info);
      return noContent(202);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/password/reset",
    feature: passwordReset,
    body: { schema: resetPasswordInput },
    rateLimit: ["password-reset"],
    async handle({ ctx, body, info, credential }) {
      await resetPassword(ctx, body, info, await presentedProver(ctx, credential));
      // Every session ended, this browser's too.
      return noContent(204, { "Set-Cookie": clearedSessionCookie(ctx.config) });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/email/change",
    auth: true,
    feature: emailChange,
    body: { schema: emailChangeInput },
    rateLimit: ["email-change"],
    async handle({ ctx, caller, body, info }) {
      const { user, session } = caller;
      await requestEmailChange(
        ctx,
        { userId: user.id, sessionCreatedAt: new Date(session.createdAt) },
        body,
        info,
      );
      return noContent(202);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/email/change/verify",
    changesState: true,
    async handle(request) {
      const { ctx, url } = request;
      const page = (c: AuthContext) => redirectTarget(c.config, c.config.emailChange.redirectTo);
      return linkRoute(request, page, async () => {
        const user = await confirmEmailChange(ctx, queryToken(url));
        if (wantsJSON(request.request)) return json(200, { user });
        return redirect(page(ctx));
      });
    },
  }),
  defineRoute({
    // The link mailed to the old address: stops a pending change, or undoes a confirmed one.
    method: "GET",
    path: "/email/change/cancel",
    changesState: true,
    async handle(request) {
      const { ctx, url } = request;
      const page = (c: AuthContext) => redirectTarget(c.config, c.config.emailChange.redirectTo);
      return linkRoute(request, page, async () => {
        const cancelled = await cancelEmailChange(ctx, queryToken(url));
        // Every session of the account ended; this browser's cookie goes with them.
        const headers = { "Set-Cookie": clearedSessionCookie(ctx.config) };
        if (wantsJSON(request.request)) return json(200, cancelled, headers);
        const landing = new URL(page(ctx));
        landing.searchParams.set("emailChange", cancelled.reverted ? "reverted" : "cancelled");
        return redirect(landing.href, headers);
      });
    },
  }),
];
