// The Portcullis + Express starter: sign up, sign in (password, magic link, passkey), password
// reset, sessions, a protected page and a protected API route. Run `npm start` at the repository
// root.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { safeRedirectPath } from "portcullis";
import { authed, authHandler, requireAuth, withAuth } from "portcullis/express";
import { recentActivity } from "./activity.mjs";
import { auth, port, signInProviders } from "./auth.mjs";
import { twoFactorPages, twoFactorSection } from "./mfa.mjs";
import * as pages from "./pages.mjs";

const app = express();
const here = dirname(fileURLToPath(import.meta.url));

// Behind a reverse proxy, tell Express which hops to trust: req.ip (and so the IP Portcullis
// rate-limits and records) then comes from X-Forwarded-For. Off by default: direct connections.
if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);

// Pages only load scripts and styles from this origin; nothing may frame them.
app.use((_req, res, next) => {
  res.set({
    "Content-Security-Policy":
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
  });
  next();
});

// Every Portcullis route: /auth/register, /auth/login, /auth/sessions, /auth/passkey/*, ...
// express.json() may come before or after it; the app's own routes can use it as usual.
app.use(authHandler(auth));
app.use(express.json());

// The browser scripts: this app's own; portcullis/client, the package's one-file ES module; and
// @simplewebauthn/browser's ES modules from node_modules. import.meta.resolve picks the packages'
// "import" condition: their ES modules, not the CommonJS builds.
const clientESM = fileURLToPath(import.meta.resolve("portcullis/client"));
app.get("/assets/portcullis/client.js", (_req, res) => res.sendFile(clientESM));
const webauthnESM = fileURLToPath(new URL(".", import.meta.resolve("@simplewebauthn/browser")));
app.use("/assets/simplewebauthn", express.static(webauthnESM));
app.use("/assets", express.static(join(here, "public")));

// req.auth is the signed-in caller, or null, on every route below.
app.use(withAuth(auth));

// Two-factor authentication: the page that asks for the code at sign-in (where a sign-in that
// lands with `?mfa=required` is sent first), and the QR code library.
app.use(twoFactorPages());

app.get("/", (req, res) => {
  res.send(pages.home(req.auth));
});
// Where to go once signed in: `?next=` only when it is a path on this site. A hand-written
// `startsWith("/")` check lets `/%09/evil.example` and `/%5Cevil.example` through to another site.
const nextPath = (req) => safeRedirectPath(req.query.next, "/account");

app.get("/sign-up", (req, res) => {
  res.send(pages.signUp(req.auth, nextPath(req), signInProviders));
});
app.get("/sign-in", (req, res) => {
  res.send(pages.signIn(req.auth, nextPath(req), signInProviders));
});
app.get("/forgot-password", (req, res) => {
  res.send(pages.forgotPassword(req.auth));
});
// Where the password reset email links to: the library's default `passwordReset.url`.
app.get("/reset-password", (req, res) => {
  const token = typeof req.query.token === "string" ? req.query.token : "";
  res.set("Cache-Control", "no-store").send(pages.resetPassword(req.auth, token));
});

// A mail link that failed (a used or expired magic link) lands on its target with `?error=`, and
// so does a refused "Sign in with ..." (with `?provider=<id>`, which the sign-in buttons add to
// their target so the message can name the provider). Signed out, the visitor would be sent to
// sign in without them: keep them, so the page says why.
const keepLinkError = (path) => (req, res, next) => {
  if (req.auth || typeof req.query.error !== "string") return next();
  let target = `/sign-in?next=${path}&error=${encodeURIComponent(req.query.error)}`;
  for (const name of ["provider", "link"]) {
    const value = req.query[name];
    if (typeof value === "string") target += `&${name}=${encodeURIComponent(value)}`;
  }
  res.redirect(303, target);
};

// A protected page: signed-out visitors are redirected to the sign-in page. authed(req) is the
// caller requireAuth let through, never null. The recent security activity is the caller's own
// audit events, read with the server-side admin API.
app.get(
  "/account",
  keepLinkError("/account"),
  requireAuth(auth, { redirectTo: "/sign-in?next=/account" }),
  async (req, res) => {
    const caller = authed(req);
    const [sessions, passkeys, activity, linked, twoFactor] = await Promise.all([
      auth.api.listSessions(caller.user.id),
      auth.api.listPasskeys(caller.user.id),
      recentActivity(auth, caller.user.id),
      signInProviders.length > 0 ? auth.api.listLinkedAccounts(caller.user.id) : [],
      twoFactorSection(auth, caller.user),
    ]);
    res
      .set("Cache-Control", "no-store")
      .send(
        pages.account(
          caller,
          sessions,
          passkeys,
          activity,
          { linked, providers: signInProviders },
          twoFactor,
        ),
      );
  },
);

// A protected API route: 401 { error: { code: "unauthenticated", ... } } when signed out.
app.get("/api/me", requireAuth(auth), (req, res) => {
  res.json({ user: authed(req).user });
});

app.listen(port, () => {
  console.log(`Portcullis + Express example on ${auth.config.baseURL.replace(/\/$/, "")}`);
});
