// Two-factor authentication, the server's part in this app: the page that asks for the second
// factor at sign-in, where a sign-in that stopped at it by a redirect lands, the account page's section,
// and the QR code library for the browser. The routes are the library's (/auth/mfa/*, served by
// authHandler with the others); the browser calls them through portcullis/client
// (public/two-factor.js).
import { fileURLToPath } from "node:url";
import express from "express";
import { safeRedirectPath } from "portcullis";
import { secondFactor, twoFactorSection as section } from "./mfa-pages.mjs";

// qrcode-generator's ES module (one file, no imports), for the browser: the page draws the QR
// code of the secret itself, so the secret never goes to a QR code service, nor back here.
const qrcodeESM = fileURLToPath(import.meta.resolve("qrcode-generator"));

/**
 * `/assets/qrcode-generator.js`, `/sign-in/two-factor`, and the landing of a sign-in that stopped
 * at the second factor; mount after `withAuth(auth)`, before the pages.
 */
export function twoFactorPages() {
  const router = express.Router();
  // A sign-in that came back by a redirect (a magic link, "Sign in with ...") for an account with
  // two-factor authentication lands on its page with `?mfa=required` and no session yet, only
  // the pending step: whatever the page, send the visitor to the code first, then back there.
  router.get(/.*/, (req, res, next) => {
    if (req.query.mfa !== "required" || req.path === "/sign-in/two-factor") return next();
    const page = new URL(req.originalUrl, "http://localhost");
    page.searchParams.delete("mfa");
    const back = safeRedirectPath(`${page.pathname}${page.search}`, "/account");
    res.redirect(303, `/sign-in/two-factor?next=${encodeURIComponent(back)}`);
  });
  router.get("/assets/qrcode-generator.js", (_req, res) => {
    res.type("text/javascript").sendFile(qrcodeESM);
  });
  // The second step of a sign-in of an account with two-factor authentication: the code.
  router.get("/sign-in/two-factor", (req, res) => {
    res.send(secondFactor(req.auth, safeRedirectPath(req.query.next, "/account")));
  });
  return router;
}

/** The account page's section, from where the user's two-factor authentication stands. */
export async function twoFactorSection(auth, user) {
  return section(user, await auth.api.getMfaStatus(user.id));
}
