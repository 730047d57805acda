// Two-factor authentication, the server's part in this app: where a sign-in that stops at the
// second factor lands, and the account page's section. The routes are the library's
// (/auth/mfa/*, served with the others); the browser calls them through portcullis/client
// (public/two-factor.js).
import { fileURLToPath } from "node:url";
import { twoFactorSection as section } from "./mfa-pages.mjs";

// qrcode-generator's ES module (one file, no imports), for the browser: the page draws the QR
// code of the secret itself, so the secret never goes to a QR code service, nor back here.
export const qrcodeESM = fileURLToPath(import.meta.resolve("qrcode-generator"));

/**
 * A magic link to an account with two-factor authentication lands on its page with
 * `?mfa=required` and no session yet, only the pending step: send the visitor to the page that
 * asks for the code, which then goes on to `path`. (A preHandler.)
 */
export const secondFactorLanding = (path) => async (request, reply) => {
  if (request.query.mfa !== "required") return;
  return reply.redirect(`/sign-in/two-factor?next=${encodeURIComponent(path)}`, 303);
};

/** The account page's section, from where the user's two-factor authentication stands. */
export async function twoFactorSection(auth, user) {
  return section(user, await auth.api.getMfaStatus(user.id));
}
