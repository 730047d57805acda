// The browser half of the example: forms and buttons call Portcullis through portcullis/client.
// Same-origin fetch sends the session cookie and an Origin header, which the CSRF check wants.
// No build step: the server serves the package's ES module (dist/client.js) at this URL; with a
// bundler you would write `import { createClient } from "portcullis/client"`.

import { messageFor, NOTICES, providerMessages } from "/assets/messages.js";
import {
  createClient,
  isPortcullisClientError,
  PortcullisClientError,
} from "/assets/portcullis/client.js";

// Passkeys load @simplewebauthn/browser (its ES modules, served from node_modules) on first use.
const auth = createClient({ webauthn: () => import("/assets/simplewebauthn/index.js") });

const say = (text) => {
  document.getElementById("message").textContent = text ?? "";
};

const sentence = (text) => {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? "" : "."}`;
};

/** What to tell the person: the app's sentence for the code, plus what the form got wrong. */
function explain(error, overrides) {
  // Not from the server: the browser's own, e.g. a passkey prompt that was cancelled.
  if (!isPortcullisClientError(error)) return error?.message ?? String(error);
  const details = error.code === "invalid_request" ? (error.issues ?? []) : [];
  return [messageFor(error.code, overrides), ...details.map((issue) => sentence(issue.message))]
    .join(" ")
    .trim();
}

// Where to go after signing in comes from the page (`data-then="go:/account"`): the server
// decided it with safeRedirectPath from "portcullis", so `?next=` is never read here, where a
// hand-written check would miss `/%09/evil.example` or `/%5Cevil.example`. A sign-in of an
// account with two-factor authentication (`result.mfaRequired`) first goes to the page that asks
// for the code, which then goes on there.
function then(action, result) {
  if (result?.mfaRequired) {
    const next = action?.startsWith("go:") ? action.slice(3) : "/account";
    location.assign(`/sign-in/two-factor?next=${encodeURIComponent(next)}`);
  } else if (action === "reload") location.reload();
  else if (action?.startsWith("go:")) location.assign(action.slice(3));
  else if (action?.startsWith("say:")) say(action.slice(4));
}

/**
 * A call to a route portcullis/client has no method for (the social sign-in ones): same-origin
 * fetch with JSON, failing with the client's own error, so `explain` words it like the others.
 */
async function callRoute(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new PortcullisClientError("unavailable", 0, "The server could not be reached", { cause });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return data;
  const failure = data?.error ?? {};
  throw new PortcullisClientError(
    typeof failure.code === "string" ? failure.code : "internal",
    response.status,
    typeof failure.message === "string" ? failure.message : `HTTP ${response.status}`,
  );
}

/**
 * "Link <name>": `POST /auth/oauth/<id>/link` (the button's formaction), which checks step-up,
 * answers `{ url }` at the provider, and the browser goes there. Posting the form natively would
 * be refused: the page's CSP (`form-action 'self'`) does not let a form redirect to the provider.
 */
async function linkProvider(fields, action) {
  const { url } = await callRoute("POST", new URL(action).pathname, {
    currentPassword: fields.currentPassword,
    redirectTo: fields.redirectTo,
  });
  location.assign(url);
}

const run = (work, overrides) =>
  work().catch((error) => {
    say(explain(error, overrides));
  });

// Each form names the client call it makes (`data-client`), with the form's fields.
const forms = {
  signUp: (f) => auth.signUp({ email: f.email, password: f.password, name: f.name }),
  signIn: (f) => auth.signIn({ email: f.email, password: f.password }),
  magicLink: (f) => auth.magicLink.request({ email: f.email, redirectTo: f.redirectTo }),
  forgotPassword: (f) => auth.forgotPassword({ email: f.email }),
  resetPassword: (f) => auth.resetPassword({ token: f.token, password: f.password }),
  changePassword: (f) =>
    auth.changePassword({ currentPassword: f.currentPassword, newPassword: f.newPassword }),
  linkProvider,
};
// Where a code means something more precise on one form than it does in general.
const formMessages = {
  changePassword: { invalid_credentials: "Your current password is wrong." },
};

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-client]");
  const call = form && forms[form.dataset.client];
  if (!call) return;
  event.preventDefault();
  // The button pressed adds its own name=value and may post elsewhere (`formaction`).
  const submitter = event.submitter ?? null;
  const fields = Object.fromEntries(
    [...new FormData(form, submitter)].filter(([, value]) => value !== ""),
  );
  run(async () => {
    say("");
    const result = await call(fields, submitter?.formAction || form.action);
    form.reset();
    then(form.dataset.then, result);
  }, formMessages[form.dataset.client]);
});

// Each button names its call (`data-client`); `data-id` is the session or passkey it acts on.
const buttons = {
  signOut: () => auth.signOut(),
  revokeSession: (id) => auth.sessions.revoke(id),
  revokeOtherSessions: () => auth.sessions.revokeOthers(),
  removePasskey: (id) => auth.passkeys.remove(id),
  addPasskey: () =>
    auth.passkeys.register({ name: prompt("A name for this passkey", "My laptop") || undefined }),
  passkeySignIn: () => auth.passkeys.signIn(),
  unlinkAccount: (id) => callRoute("DELETE", `/auth/oauth/accounts/${encodeURIComponent(id)}`),
};
// Where a code means something more precise for one button than it does in general.
const buttonMessages = {
  unlinkAccount: {
    forbidden:
      "You cannot unlink your only way to sign in. Add a passkey or set a password first, then unlink it.",
  },
};

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-client]");
  const call = button && buttons[button.dataset.client];
  if (!call) return;
  run(async () => {
    then(button.dataset.then, await call(button.dataset.id));
  }, buttonMessages[button.dataset.client]);
});

/**
 * The name of provider `id` as this page shows it (its "Sign in with" or "Link" button carries
 * `data-provider` and `data-name`), or a stand-in. Compared as text, never used as a selector.
 */
function providerName(id) {
  const shown = [...document.querySelectorAll("[data-provider]")].find(
    (element) => element.dataset.provider === id,
  );
  return shown?.dataset.name ?? "this provider";
}

// A page reached with `?error=<code>` (a mail link that was used or expired, a refused "Sign in
// with ..." with `?provider=<id>` or "Link ..." with `?link=<id>`) or `?notice=` says so, in the
// words above: never the query's own text.
const query = new URLSearchParams(location.search);
const provider = query.get("link") ?? query.get("provider");
const overrides =
  provider === null ? {} : providerMessages(providerName(provider), query.has("link"));
if (query.has("error")) say(messageFor(query.get("error"), overrides));
else if (Object.hasOwn(NOTICES, query.get("notice") ?? "")) say(NOTICES[query.get("notice")]);

// two-factor.js adds its own forms and buttons to these.
export { auth, buttons, formMessages, forms };
