import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono } from "hono";
import { safeRedirectPath } from "portcullis";
import { AUTH_METHODS, authHandler, requireAuth, withAuth } from "portcullis/hono";
import { recentActivity } from "./activity.js";
import { auth, port } from "./auth.js";
import { secondFactor, twoFactorSection } from "./mfa-pages.js";
import * as pages from "./pages.js";

const app = new Hono();

// Every Portcullis route: /auth/register, /auth/login, /auth/sessions, /auth/passkey/*, ...
app.on(
  AUTH_METHODS,
  "/auth/*",
  authHandler(auth, { getClientIP: (c) => getConnInfo(c).remote.address }),
);

// c.get("auth") is the caller or null on every page below.
app.use("*", withAuth(auth));

app.get("/", (c) => c.html(pages.home(c.get("auth"))));
// Where to go once signed in: `?next=` only when it is a path on this site. A hand-written
// `startsWith("/")` check lets `/%09/evil.example` and `/%5Cevil.example` through to another site.
const nextPath = (c: Context) => safeRedirectPath(c.req.query("next"), "/dashboard");
app.get("/sign-up", (c) => c.html(pages.signUp(nextPath(c))));
app.get("/sign-in", (c) => c.html(pages.signIn(nextPath(c))));
app.get("/magic-link", (c) => c.html(pages.magicLink()));
// The second step of a sign-in of an account with two-factor authentication: the code.
app.get("/sign-in/two-factor", (c) => c.html(secondFactor(nextPath(c))));
app.get("/forgot-password", (c) => c.html(pages.forgotPassword()));
// Where the password reset email links to: the library's default `passwordReset.url`.
app.get("/reset-password", (c) => {
  c.header("Cache-Control", "no-store");
  return c.html(pages.resetPassword(c.req.query("token") ?? ""));
});

// A magic link to an account with two-factor authentication lands with `?mfa=required` and no
// session yet, only the pending step: on to the page that asks for the code, then back here.
app.get("/dashboard", async (c, next) => {
  if (c.req.query("mfa") !== "required") return next();
  return c.redirect(`/sign-in/two-factor?next=${encodeURIComponent("/dashboard")}`, 303);
});

// A mail link that failed (a used or expired magic link) lands on its target with `?error=`.
// Signed out, the visitor would be sent to sign in without it: keep it, so the page says why.
app.get("/dashboard", async (c, next) => {
  const error = c.req.query("error");
  if (c.get("auth") || error === undefined) return next();
  return c.redirect(`/sign-in?next=/dashboard&error=${encodeURIComponent(error)}`, 303);
});

// A protected page: signed-out visitors are sent to /sign-in?next=/dashboard. The recent
// security activity is the caller's own audit events, read with the server-side admin API.
app.get("/dashboard", requireAuth(auth, { redirectTo: "/sign-in" }), async (c) => {
  const caller = c.get("auth");
  if (!caller) throw new Error("unreachable: requireAuth let an anonymous request through");
  const [sessions, passkeys, activity, mfa] = await Promise.all([
    auth.api.listSessions(caller.user.id),
    auth.api.listPasskeys(caller.user.id),
    recentActivity(auth, caller.user.id),
    auth.api.getMfaStatus(caller.user.id),
  ]);
  c.header("Cache-Control", "no-store");
  const twoFactor = twoFactorSection(caller.user, mfa);
  return c.html(pages.dashboard(caller, sessions, passkeys, activity, twoFactor));
});

// A protected API route: 401 { error: { code: "unauthenticated", ... } } when signed out.
app.get("/api/me", requireAuth(auth), (c) => c.json({ user: c.get("auth")?.user }));

// The browser scripts, read once. @simplewebauthn/browser's UMD build defines SimpleWebAuthnBrowser;
// its package exports only the ESM entry, so the bundle is found next to the CommonJS one.
// portcullis/client is one ES module file: import.meta.resolve picks the "import" condition.
const require = createRequire(import.meta.url);
const webauthnDir = dirname(dirname(require.resolve("@simplewebauthn/browser")));
// qrcode-generator's ES module (one file, no imports): the page draws the QR code of the
// two-factor secret itself, so the secret never goes to a QR code service, nor back here.
const qrcodeESM = fileURLToPath(import.meta.resolve("qrcode-generator"));
const assets: Record<string, string> = {
  "app.js": readFileSync(new URL("./public/app.js", import.meta.url), "utf8"),
  "messages.js": readFileSync(new URL("./public/messages.js", import.meta.url), "utf8"),
  "two-factor.js": readFileSync(new URL("./public/two-factor.js", import.meta.url), "utf8"),
  "qrcode-generator.js": readFileSync(qrcodeESM, "utf8"),
  "simplewebauthn.js": readFileSync(join(webauthnDir, "dist/bundle/index.umd.min.js"), "utf8"),
};
const client = readFileSync(fileURLToPath(import.meta.resolve("portcullis/client")), "utf8");
app.get("/assets/portcullis/client.js", (c) =>
  c.body(client, 200, { "content-type": "text/javascript" }),
);
app.get("/assets/:name", (c) => {
  const body = assets[c.req.param("name")];
  return body === undefined
    ? c.notFound()
    : c.body(body, 200, { "content-type": "text/javascript" });
});

serve({ fetch: app.fetch, port }, (info) => {
  console.log(`Portcullis + Hono example on http://localhost:${info.port}`);
});
