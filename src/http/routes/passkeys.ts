import * as z from "zod";
import { requireRecentSignIn, stepUpInput } from "../../accounts/step-up.js";
import { authenticateCredential } from "../../credentials/authenticate.js";
import {
  loginOptionsInput,
  passkeyLoginOptions,
  verifyPasskeyLogin,
} from "../../passkeys/login.js";
import { deletePasskey, listPasskeys, renameInput, renamePasskey } from "../../passkeys/manage.js";
import {
  passkeyRegistrationOptions,
  registrationInput,
  verifyPasskeyRegistration,
} from "../../passkeys/registration.js";
import { authenticationResponseSchema } from "../../passkeys/schemas.js";
import { passkeySignUpOptions, verifyPasskeySignUp } from "../../passkeys/sign-up.js";
import { parseInput } from "../../validation.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route, type RouteRequest } from "../route.js";
import { signInResponse } from "../sign-in.js";

/**
 * Registration serves two ceremonies: a signed-in user adding a passkey, and (with
 * `passkey.signUp`) a visitor creating an account with one. The caller's session decides which.
 */
async function signedInCaller({ ctx, credential }: RouteRequest) {
  return authenticateCredential(ctx, credential);
}

export const passkeyRoutes: Route[] = [
  defineRoute({
    method: "POST",
    path: "/passkey/register/options",
    // Whose body it is depends on the caller: a signed-in user's step-up `{ currentPassword? }`,
    // or a visitor's sign-up `{ email, name? }` (refused first when sign-up is off). So no one
    // schema fits before the caller is known: the route and the sign-up flow parse it.
    body: { schema: z.unknown(), optional: true },
    rateLimit: ["passkey-register", "register"],
    async handle(request) {
      const { ctx, info, body } = request;
      const current = await signedInCaller(request);
      if (!current) return json(200, await passkeySignUpOptions(ctx, body, info));
      // A passkey outlives a password reset: only a fresh sign-in (or the password) adds one.
      const proof = parseInput(stepUpInput, body);
      await requireRecentSignIn(
        ctx,
        { userId: current.user.id, signedInAt: new Date(current.session.createdAt) },
        proof,
        info,
      );
      return json(200, await passkeyRegistrationOptions(ctx, current.user.id, info));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/passkey/register/verify",
    body: { schema: registrationInput },
    rateLimit: ["passkey-register", "register"],
    async handle(request) {
      const { ctx, body, info } = request;
      const current = await signedInCaller(request);
      if (current) {
        const passkey = await verifyPasskeyRegistration(ctx, current.user.id, body, info);
        return json(201, { passkey });
      }
      const signedUp = await verifyPasskeySignUp(ctx, body, info);
      return signInResponse(request, signedUp, {
        status: 201,
        body: { passkey: signedUp.passkey },
      });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/passkey/login/options",
    body: { schema: loginOptionsInput, optional: true },
    rateLimit: ["passkey-login"],
    async handle({ ctx, body, info }) {
      return json(200, await passkeyLoginOptions(ctx, body, info));
    },
  }),
  defineRoute({
    method: "POST",
    path: "/passkey/login/verify",
    body: { schema: authenticationResponseSchema },
    rateLimit: ["passkey-login"],
    async handle(request) {
      const { ctx, body, info } = request;
      return signInResponse(request, await verifyPasskeyLogin(ctx, body, info), { status: 200 });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/passkeys",
    auth: true,
    async handle({ ctx, caller }) {
      return json(200, { passkeys: await listPasskeys(ctx, caller.user.id) });
    },
  }),
  defineRoute({
    method: "PATCH",
    path: "/passkeys/:id",
    auth: true,
    body: { schema: renameInput },
    async handle({ ctx, caller, params, body }) {
      const id = params.id as string;
      return json(200, { passkey: await renamePasskey(ctx, caller.user.id, id, body) });
    },
  }),
  defineRoute({
    method: "DELETE",
    path: "/passkeys/:id",
    auth: true,
    async handle({ ctx, caller, params, info }) {
      await deletePasskey(ctx, caller.user.id, params.id as string, info);
      return noContent();
    },
  }),
];
