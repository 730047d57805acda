import * as z from "zod";
import { passwordField } from "../../accounts/fields.js";
import { requireRecentSignIn, stepUpInput } from "../../accounts/step-up.js";
import {
  disableMfa,
  disableMfaInput,
  enableTotp,
  getMfaStatus,
  regenerateRecoveryCodes,
  regenerateRecoveryCodesInput,
  setupTotp,
  verifyMfa,
} from "../../flows/mfa.js";
import { secondFactorInput, totpCodeField } from "../../mfa/fields.js";
import type { AuthResult } from "../../types.js";
import { readCookie } from "../../util/cookies.js";
import { clearedPendingSignInCookie, pendingSignInCookieName } from "../pending-cookie.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";
import { signInResponse } from "../sign-in.js";

/*
 * Two-factor authentication (DESIGN §7). Setting up and turning on need a fresh session (or the
 * password) as step-up; turning off and new recovery codes need a valid second factor, which is
 * the step-up proof itself. `POST /mfa/verify` completes a sign-in that stopped at the pending
 * step, with the pending cookie.
 */

/** `{ code, currentPassword? }`: the new authenticator's code, and step-up when not fresh. */
const enableInput = z.object({ code: totpCodeField, currentPassword: passwordField.optional() });

const stepUpCaller = (caller: AuthResult) => ({
  userId: caller.user.id,
  signedInAt: new Date(caller.session.createdAt),
});

export const mfaRoutes: Route[] = [
  defineRoute({
    method: "GET",
    path: "/mfa",
    auth: true,
    async handle({ ctx, caller }) {
      return json(200, await getMfaStatus(ctx, caller.user.id));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/mfa/totp/setup",
    auth: true,
    body: { schema: stepUpInput, optional: true },
    rateLimit: ["mfa"],
    async handle({ ctx, caller, body, info }) {
      await requireRecentSignIn(ctx, stepUpCaller(caller), body, info);
      return json(200, await setupTotp(ctx, caller.user.id, info));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/mfa/totp/enable",
    auth: true,
    body: { schema: enableInput },
    rateLimit: ["mfa"],
    async handle({ ctx, caller, body, info }) {
      const { code, currentPassword } = body;
      await requireRecentSignIn(ctx, stepUpCaller(caller), { currentPassword }, info);
      return json(200, await enableTotp(ctx, caller.user.id, { code }, info));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/mfa/disable",
    auth: true,
    body: { schema: disableMfaInput },
    rateLimit: ["mfa"],
    async handle({ ctx, caller, body, info }) {
      await disableMfa(ctx, caller.user.id, body, info);
      return noContent();
    },
  }),
  defineRoute({
    method: "POST",
    path: "/mfa/recovery-codes",
    auth: true,
    body: { schema: regenerateRecoveryCodesInput },
    rateLimit: ["mfa"],
    async handle({ ctx, caller, body, info }) {
      return json(200, await regenerateRecoveryCodes(ctx, caller.user.id, body, info));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/mfa/verify",
    body: { schema: secondFactorInput },
    rateLimit: ["mfa"],
    async handle(request) {
      const { ctx, body, info } = request;
      const cookieName = pendingSignInCookieName(ctx.config);
      const mfaToken = readCookie(request.request.headers.get("cookie"), cookieName) ?? "";
      const signedIn = await verifyMfa(ctx, { mfaToken, ...body }, info);
      const { recoveryCodesRemaining } = signedIn;
      const response = await signInResponse(request, signedIn, {
        status: 200,
        body: recoveryCodesRemaining === undefined ? undefined : { recoveryCodesRemaining },
      });
      // The pending step is used up: its cookie goes, beside the new session's.
      response.headers.append("Set-Cookie", clearedPendingSignInCookie(ctx.config));
      return response;
    },
  }),
];
