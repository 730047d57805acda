// The browser half of the example: forms and buttons call Portcullis through portcullis/client.
// Same-origin fetch sends the session cookie and an Origin header, which the CSRF check wants.
// No build step: the server serves the package's ES module (dist/client.js) at this URL; with a
// bundler you would write `import { createClient } from "portcullis/client"`.

import { messageFor, NOTICES } from "/assets/messages.js";
import { createClient, isPortcullisClientError } from "/assets/portcullis/client.js";

// Passkeys use @simplewebauthn/browser, which the page loads as a classic script (its UMD
// bundle, global SimpleWebAuthnBrowser).
const auth = createClient({ webauthn: async () => globalThis.SimpleWebAuthnBrowser });

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

// Where to go after signing in comes from the page (`data-then="go:/dashboard"`): the server
// decided it with safeRedirectPath from "portcullis", so `?next=` is never read here, where a
// hand-written check would miss `/%09/evil.example` or `/%5Cevil.example`. A sign-in of an
// account with two-factor authentication (`result.mfaRequired`) first goes to the page that asks
// for the code, which then goes on there.
function then(action, result) {
  if (result?.mfaRequired) {
    const next = action?.startsWith("go:") ? action.slice(3) : "/dashboard";
    location.assign(`/sign-in/two-factor?next=${encodeURIComponent(next)}`);
  } else if (action === "reload") location.reload();
  else if (action?.startsWith("go:")) location.assign(action.slice(3));
  else if (action?.startsWith("say:")) say(action.slice(4));
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
  const fields = Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ""));
  run(async () => {
    say("");
    const result = await call(fields);
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
};

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-client]");
  const call = button && buttons[button.dataset.client];
  if (!call) return;
  run(async () => {
    then(button.dataset.then, await call(button.dataset.id));
  });
});

// A page reached with `?error=<code>` (a mail link that was used or expired) or `?notice=` says
// so, in the words above: never the query's own text.
const query = new URLSearchParams(location.search);
if (query.has("error")) say(messageFor(query.get("error")));
else if (Object.hasOwn(NOTICES, query.get("notice") ?? "")) say(NOTICES[query.get("notice")]);

// two-factor.js adds its own forms and buttons to these.
export { auth, buttons, formMessages, forms };
