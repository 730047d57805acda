import { requireRecentSignIn, stepUpInput } from "../../accounts/step-up.js";
import { authenticateCredential } from "../../credentials/authenticate.js";
import { passkeyLoginOptions, verifyPasskeyLogin } from "../../passkeys/login.js";
import { deletePasskey, listPasskeys, renamePasskey } from "../../passkeys/manage.js";
import {
  passkeyRegistrationOptions,
  verifyPasskeyRegistration,
} from "../../passkeys/registration.js";
import { passkeySignUpOptions, verifyPasskeySignUp } from "../../passkeys/sign-up.js";
import { parseInput } from "../../validation.js";
import { optionalJsonBody } from "../body.js";
import { json, noContent } from "../respond.js";
import { caller, type Route, type RouteRequest } from "../route.js";
import { sessionCookie } from "../session-cookie.js";
import { endPresentedSession, signedInResponse } from "./account.js";

/**
 * Registration serves two ceremonies: a signed-in user adding a passkey, and (with
 * `passkey.signUp`) a visitor creating an account with one. The caller's session decides which.
 */
async function signedInCaller({ ctx, credential }: RouteRequest) {
  return authenticateCredential(ctx, credential);
}

export const passkeyRoutes: Route[] = [
  {
    method: "POST",
    path: "/passkey/register/options",
    async handle(request) {
      const { ctx, info } = request;
      const body = await optionalJsonBody(request.request, ctx.config.maxBodyBytes);
      const current = await signedInCaller(request);
      if (!current) return json(200, await passkeySignUpOptions(ctx, body, info));
      // A passkey outlives a password reset: only a fresh sign-in (or the password) adds one.
      const { currentPassword } = parseInput(stepUpInput, body);
      await requireRecentSignIn(
        ctx,
        { userId: current.user.id, signedInAt: new Date(current.session.createdAt) },
        currentPassword,
      );
      return json(200, await passkeyRegistrationOptions(ctx, current.user.id, info));
    },
  },
  {
    method: "POST",
    path: "/passkey/register/verify",
    body: ["json"],
    async handle(request) {
      const { ctx, body, info, credential } = request;
      const current = await signedInCaller(request);
      if (current) {
        const passkey = await verifyPasskeyRegistration(ctx, current.user.id, body, info);
        return json(201, { passkey });
      }
      const signedUp = await verifyPasskeySignUp(ctx, body, info);
      await endPresentedSession(ctx, credential);
      const cookie = sessionCookie(
        ctx.config,
        signedUp.token,
        signedUp.session.absoluteExpiresAt,
        ctx.now(),
      );
      return json(
        201,
        { user: signedUp.user, passkey: signedUp.passkey },
        { "Set-Cookie": cookie },
      );
    },
  },
  {
    method: "POST",
    path: "/passkey/login/options",
    async handle({ ctx, request, info }) {
      const body = await optionalJsonBody(request, ctx.config.maxBodyBytes);
      return json(200, await passkeyLoginOptions(ctx, body, info));
    },
  },
  {
    method: "POST",
    path: "/passkey/login/verify",
    body: ["json"],
    async handle({ ctx, body, info, credential }) {
      const signedIn = await verifyPasskeyLogin(ctx, body, info);
      await endPresentedSession(ctx, credential);
      return signedInResponse(ctx, 200, signedIn);
    },
  },
  {
    method: "GET",
    path: "/passkeys",
    auth: true,
    async handle(request) {
      const { user } = caller(request);
      return json(200, { passkeys: await listPasskeys(request.ctx, user.id) });
    },
  },
  {
    method: "PATCH",
    path: "/passkeys/:id",
    auth: true,
    body: ["json"],
    async handle(request) {
      const { user } = caller(request);
      const id = request.params.id as string;
      return json(200, { passkey: await renamePasskey(request.ctx, user.id, id, request.body) });
    },
  },
  {
    method: "DELETE",
    path: "/passkeys/:id",
    auth: true,
    async handle(request) {
      const { user } = caller(request);
      await deletePasskey(request.ctx, user.id, request.params.id as string);
      return noContent();
    },
  },
];
