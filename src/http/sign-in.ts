import type { AuthContext } from "../context/context.js";
import { authenticateCredential } from "../credentials/authenticate.js";
import type { Credential } from "../credentials/read-credential.js";
import type { SignInResult } from "../flows/password-accounts.js";
import type { SecondFactorRequired } from "../mfa/pending-step.js";
import { endSessionByToken } from "../sessions/sessions.js";
import { pendingSignInCookie } from "./pending-cookie.js";
import { json, redirect } from "./respond.js";
import { sessionCookie } from "./session-cookie.js";

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
 * victim's browser before sign-in (fixation) dies instead of becoming authenticated. Only
 * `signInResponse` and a registration that opens no session yet call it.
 */
export async function endPresentedSession(ctx: AuthContext, credential: Credential | null) {
  if (credential?.kind === "cookie") await endSessionByToken(ctx, credential.token);
}

/** How a sign-in is answered. */
export interface SignInAnswer {
  /** The status of the JSON answer. */
  status: 200 | 201;
  /** What the JSON answer carries beside `user`. */
  body?: Record<string, unknown>;
  /**
   * For a browser (a followed link, a posted form): a 302 to this allowlisted page instead of
   * JSON. Null or absent for an API client, which gets JSON.
   */
  redirectTo?: string | null;
}

/**
 * Answers every sign-in (password, sign-up, magic link, code, passkey, second factor): the
 * session the request presented ends (`endPresentedSession`), then the new session goes in the
 * cookie, with `{ user, ...body }` for an API client or a 302 to `redirectTo` for a browser. A
 * sign-in that stopped at the pending step (the account has MFA) gets `pendingSignInResponse`.
 */
export async function signInResponse(
  request: { ctx: AuthContext; credential: Credential | null },
  signedIn: SignInResult,
  answer: SignInAnswer,
): Promise<Response> {
  const { ctx, credential } = request;
  if (signedIn.mfaRequired) return pendingSignInResponse(ctx, signedIn, answer);
  await endPresentedSession(ctx, credential);
  const headers = {
    "Set-Cookie": sessionCookie(
      ctx.config,
      signedIn.token,
      signedIn.session.absoluteExpiresAt,
      ctx.now(),
    ),
  };
  if (answer.redirectTo) return redirect(answer.redirectTo, headers);
  return json(answer.status, { user: signedIn.user, ...answer.body }, headers);
}

/**
 * The pending step of a sign-in (DESIGN §7): no session, only the pending cookie, and
 * `200 { mfaRequired: true }` for an API client. A browser (a followed magic link) is sent to
 * its landing page with `?mfa=required` added, where the app asks for the code and posts it to
 * `POST <basePath>/mfa/verify`. The session the browser presented is left alone: nothing has
 * signed in yet; it ends when the second factor completes the sign-in.
 */
function pendingSignInResponse(
  ctx: AuthContext,
  pending: SecondFactorRequired,
  answer: SignInAnswer,
): Response {
  const headers = {
    "Set-Cookie": pendingSignInCookie(ctx.config, pending.mfaToken, pending.expiresAt, ctx.now()),
  };
  if (answer.redirectTo) {
    const landing = new URL(answer.redirectTo);
    landing.searchParams.set("mfa", "required");
    return redirect(landing.href, headers);
  }
  return json(200, { mfaRequired: true }, headers);
}
