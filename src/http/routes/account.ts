import type { AuthContext } from "../../context/context.js";
import { authenticateCredential } from "../../credentials/authenticate.js";
import type { Credential } from "../../credentials/read-credential.js";
import { changePassword, login, register, type SignedIn } from "../../flows/password-accounts.js";
import { endSession, endSessionByToken } from "../../sessions/sessions.js";
import { json, noContent } from "../respond.js";
import { caller, type Route } from "../route.js";
import { clearedSessionCookie, registrationCookie, sessionCookie } from "../session-cookie.js";

/** Answers a fresh sign-in: the user in the body, the new session in the cookie. */
export function signedInResponse(ctx: AuthContext, status: number, signedIn: SignedIn): Response {
  const cookie = sessionCookie(
    ctx.config,
    signedIn.token,
    signedIn.session.absoluteExpiresAt,
    ctx.now(),
  );
  return json(status, { user: signedIn.user }, { "Set-Cookie": cookie });
}

/**
 * Who presents a proof of the account's address (a mailed link or code), for `proveAddress`:
 * the live session the request carries, if any. Storage failures propagate: a proof must not
 * be mistaken for a stranger's because the session could not be read.
 */
export async function presentedProver(ctx: AuthContext, credential: Credential | null) {
  const current = await authenticateCredential(ctx, credential);
  return { session: current ? current.session : null };
}

/**
 * A sign-in replaces whatever session the browser presented, so a session planted in the
 * victim's browser before sign-in (fixation) dies instead of becoming authenticated.
 */
export async function endPresentedSession(ctx: AuthContext, credential: Credential | null) {
  if (credential?.kind === "cookie") await endSessionByToken(ctx, credential.token);
}

export const accountRoutes: Route[] = [
  {
    method: "POST",
    path: "/register",
    body: ["json"],
    async handle({ ctx, body, info, credential }) {
      const registered = await register(ctx, body, info);
      await endPresentedSession(ctx, credential);
      if (registered.token === null) {
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
      }
      return signedInResponse(ctx, 201, registered);
    },
  },
  {
    method: "POST",
    path: "/login",
    body: ["json"],
    async handle({ ctx, body, info, credential }) {
      const signedIn = await login(ctx, body, info);
      await endPresentedSession(ctx, credential);
      return signedInResponse(ctx, 200, signedIn);
    },
  },
  {
    method: "POST",
    path: "/logout",
    async handle({ ctx, credential }) {
      // Any credential: a session token, or an access JWT (whose session then ends with it).
      const current = await authenticateCredential(ctx, credential);
      if (current) await endSession(ctx, current.session.id);
      return noContent(204, { "Set-Cookie": clearedSessionCookie(ctx.config) });
    },
  },
  {
    method: "GET",
    path: "/session",
    auth: true,
    async handle(request) {
      const { user, session } = caller(request);
      return json(200, { user, session });
    },
  },
  {
    method: "POST",
    path: "/password/change",
    auth: true,
    body: ["json"],
    async handle(request) {
      const { user, session } = caller(request);
      await changePassword(
        request.ctx,
        { userId: user.id, sessionId: session.id },
        request.body,
        request.info,
      );
      return noContent();
    },
  },
];
