// The Portcullis + Fastify starter: sign up, sign in (password, magic link, passkey), two-factor
// authentication, password reset, sessions, a protected page and a protected API route. Run
// `node examples/fastify/server.mjs` after `npm run build` at the repository root.
import { readFile } from "node:fs/promises";
import { basename, dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { LogController } from "fastify";
import { safeRedirectPath } from "portcullis";
import { authed, authHandler, requireAuth, withAuth } from "portcullis/fastify";
import { recentActivity } from "./activity.mjs";
import { auth, port } from "./auth.mjs";
import { qrcodeESM, secondFactorLanding, twoFactorSection } from "./mfa.mjs";
import { secondFactor } from "./mfa-pages.mjs";
import * as pages from "./pages.mjs";

// Behind a reverse proxy, set TRUST_PROXY (e.g. "10.0.0.1"): request.ip, which Portcullis
// rate-limits and records, then comes from X-Forwarded-For. Off by default.
// Fastify's logger (pino, one JSON line per record on stdout) carries the security events below;
// its two lines per request are off, so the terminal stays readable (magic links print there).
const app = Fastify({
  logger: true,
  logController: new LogController({ disableRequestLogging: true }),
  trustProxy: process.env.TRUST_PROXY ?? false,
});

// One log line per security event (sign-ins, failures, revocations, password changes...), under
// `event`. Events never hold a password or token. (The library logs its own start and errors
// itself, on stderr: this adds only the events.)
auth.on("*", (event) => app.log.info({ event }, `security event: ${event.type}`));

// Every Portcullis route: /auth/register, /auth/login, /auth/sessions, /auth/passkey/*, ...
// Also adds request.auth, and refuses routes given an undefined preHandler. Fastify's own JSON
// parser stays as it is. The guards below (requireAuth, withAuth) need nothing registered.
await app.register(authHandler(auth));

// Pages only load scripts and styles from this origin; nothing may frame them.
app.addHook("onSend", async (_request, reply) => {
  reply.header(
    "content-security-policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "same-origin");
});

// The browser scripts: this app's own; portcullis/client, the package's one-file ES module; and
// @simplewebauthn/browser's ES modules from node_modules.
const here = dirname(fileURLToPath(import.meta.url));
// import.meta.resolve picks the packages' "import" condition: their ES modules, not the CommonJS
// builds.
const clientESM = fileURLToPath(import.meta.resolve("portcullis/client"));
const webauthnESM = dirname(fileURLToPath(import.meta.resolve("@simplewebauthn/browser")));
const TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

async function sendFile(reply, root, relative) {
  const file = normalize(join(root, relative));
  const type = TYPES[file.slice(file.lastIndexOf("."))];
  // Only .js and .css, and only below `root`: `..` in the URL cannot reach other files.
  if (!type || !file.startsWith(`${root}/`)) return reply.code(404).send("Not found");
  try {
    return reply.type(type).send(await readFile(file));
  } catch {
    return reply.code(404).send("Not found");
  }
}
app.get("/assets/portcullis/client.js", (_request, reply) =>
  sendFile(reply, dirname(clientESM), "client.js"),
);
app.get("/assets/qrcode-generator.js", (_request, reply) =>
  sendFile(reply, dirname(qrcodeESM), basename(qrcodeESM)),
);
app.get("/assets/simplewebauthn/*", (request, reply) =>
  sendFile(reply, webauthnESM, request.params["*"]),
);
app.get("/assets/:name", (request, reply) =>
  sendFile(reply, join(here, "public"), request.params.name),
);

const page = (reply, body) => reply.type("text/html; charset=utf-8").send(body);

// request.auth is the signed-in caller, or null, on the pages that load it.
app.get("/", { preHandler: withAuth(auth) }, (request, reply) =>
  page(reply, pages.home(request.auth)),
);
// Where to go once signed in: `?next=` only when it is a path on this site. A hand-written
// `startsWith("/")` check lets `/%09/evil.example` and `/%5Cevil.example` through to another site.
const nextPath = (request) => safeRedirectPath(request.query.next, "/account");

app.get("/sign-up", { preHandler: withAuth(auth) }, (request, reply) =>
  page(reply, pages.signUp(request.auth, nextPath(request))),
);
app.get("/sign-in", { preHandler: withAuth(auth) }, (request, reply) =>
  page(reply, pages.signIn(request.auth, nextPath(request))),
);
app.get("/forgot-password", { preHandler: withAuth(auth) }, (request, reply) =>
  page(reply, pages.forgotPassword(request.auth)),
);
// The second step of a sign-in of an account with two-factor authentication: the code.
app.get("/sign-in/two-factor", { preHandler: withAuth(auth) }, (request, reply) =>
  page(reply, secondFactor(request.auth, nextPath(request))),
);
// Where the password reset email links to: the library's default `passwordReset.url`.
app.get("/reset-password", { preHandler: withAuth(auth) }, (request, reply) => {
  const token = typeof request.query.token === "string" ? request.query.token : "";
  reply.header("cache-control", "no-store");
  return page(reply, pages.resetPassword(request.auth, token));
});

// A mail link that failed (a used or expired magic link) lands on its target with `?error=`.
// Signed out, the visitor would be sent to sign in without it: keep it, so the page says why.
const keepLinkError = (path) => async (request, reply) => {
  if (request.auth || typeof request.query.error !== "string") return;
  return reply.redirect(
    `/sign-in?next=${path}&error=${encodeURIComponent(request.query.error)}`,
    303,
  );
};

// A protected page: signed-out visitors are redirected to the sign-in page. authed(request) is
// the caller requireAuth let through, never null. The recent security activity is the caller's
// own audit events, read with the server-side admin API.
app.get(
  "/account",
  {
    preHandler: [
      secondFactorLanding("/account"),
      withAuth(auth),
      keepLinkError("/account"),
      requireAuth(auth, { redirectTo: "/sign-in?next=/account" }),
    ],
  },
  async (request, reply) => {
    const caller = authed(request);
    const [sessions, passkeys, activity, twoFactor] = await Promise.all([
      auth.api.listSessions(caller.user.id),
      auth.api.listPasskeys(caller.user.id),
      recentActivity(auth, caller.user.id),
      twoFactorSection(auth, caller.user),
    ]);
    reply.header("cache-control", "no-store");
    return page(reply, pages.account(caller, sessions, passkeys, activity, twoFactor));
  },
);

// A protected API route: 401 { error: { code: "unauthenticated", ... } } when signed out.
app.get("/api/me", { preHandler: requireAuth(auth) }, async (request) => ({
  user: authed(request).user,
}));

// "localhost" listens on 127.0.0.1 and ::1; set HOST=0.0.0.0 (e.g. in a container) to accept more.
await app.listen({ port, host: process.env.HOST ?? "localhost" });
console.log(`Portcullis + Fastify example on ${auth.config.baseURL.replace(/\/$/, "")}`);
