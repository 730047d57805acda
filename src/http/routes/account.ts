import { authenticateCredential } from "../../credentials/authenticate.js";
import {
  changePassword,
  changePasswordInput,
  login,
  loginInput,
  register,
  registerInput,
} from "../../flows/password-accounts.js";
import { signOut } from "../../sessions/sessions.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";
import { clearedSessionCookie, registrationCookie } from "../session-cookie.js";
import { endPresentedSession, signInResponse } from "../sign-in.js";

export const accountRoutes: Route[] = [
  defineRoute({
    method: "POST",
    path: "/register",
    body: { schema: registerInput },
    rateLimit: ["register"],
    async handle(request) {
      const { ctx, body, info, credential } = request;
      const registered = await register(ctx, body, info);
      if (registered.token !== null) return signInResponse(request, registered, { status: 201 });
      // No session until the address is verified; the one the browser presented ends all the same.
      await endPresentedSession(ctx, credential);
      const { registrationBinding } = registered;
      const headers = registrationBinding
        ? {
            "Set-Cookie": registrationCookie(
              ctx.config,
              registrationBinding,
              ctx.config.emailVerification.ttl,
            ),
          }
        : undefined;
      return json(201, { user: registered.user, emailVerificationRequired: true }, headers);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/login",
    body: { schema: loginInput },
    rateLimit: ["login"],
    async handle(request) {
      const { ctx, body, info } = request;
      return signInResponse(request, await login(ctx, body, info), { status: 200 });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/logout",
    async handle({ ctx, credential, info }) {
      // Any credential: a session token, or an access JWT (whose session then ends with it).
      const current = await authenticateCredential(ctx, credential);
      if (current) await signOut(ctx, current.session, info);
      return noContent(204, { "Set-Cookie": clearedSessionCookie(ctx.config) });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/session",
    auth: true,
    async handle({ caller }) {
      return json(200, { user: caller.user, session: caller.session });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/password/change",
    auth: true,
    body: { schema: changePasswordInput },
    rateLimit: ["password-change"],
    async handle({ ctx, caller, body, info }) {
      const { user, session } = caller;
      await changePassword(ctx, { userId: user.id, sessionId: session.id }, body, info);
      return noContent();
    },
  }),
];
