// Server-rendered pages: plain HTML strings, no templating library, no front-end build.
// Every interpolated value goes through `html`, which escapes it unless it is already markup.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

class Markup {
  constructor(value) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

function escapeValue(value) {
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(escapeValue).join("");
  return String(value ?? "").replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

export function html(strings, ...values) {
  return new Markup(strings.reduce((out, part, i) => out + escapeValue(values[i - 1]) + part));
}

const when = (date) => (date ? new Date(date).toISOString().slice(0, 16).replace("T", " ") : "—");

export function layout(title, caller, body) {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · Portcullis + Express</title>
  <link rel="stylesheet" href="/assets/style.css">
  <script type="module" src="/assets/app.js"></script>
</head>
<body>
  <nav>
    <a href="/">Home</a>
    ${
      caller
        ? html`<a href="/account">Account</a>
    <button type="button" data-client="signOut" data-then="go:/">Sign out</button>
    <span class="who">${caller.user.email}</span>`
        : html`<a href="/sign-up">Sign up</a> <a href="/sign-in">Sign in</a>`
    }
  </nav>
  <main>
${body}
    <p id="message" role="status"></p>
  </main>
</body>
</html>`.value;
}

export function home(caller) {
  return layout(
    "Home",
    caller,
    html`<h1>Portcullis + Express</h1>
    ${
      caller
        ? html`<p>Signed in as <strong>${caller.user.email}</strong>. Go to <a href="/account">your account</a>.</p>`
        : html`<p><a href="/sign-up">Create an account</a> or <a href="/sign-in">sign in</a>.</p>`
    }
    <p>The protected API route: <a href="/api/me"><code>GET /api/me</code></a>.</p>`,
  );
}

/**
 * `next` with `?provider=<id>` added. "Sign in with ..." lands there when it works, and with
 * `&error=<code>` when it is refused: the page then names the provider in its message.
 */
function withProvider(next, id) {
  // The base is only there to parse a path: the origin is dropped again.
  const url = new URL(next, "http://localhost");
  url.searchParams.set("provider", id);
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * A "Sign in with <name>" link per configured provider (none without): a plain navigation to
 * `GET /auth/oauth/<id>`, which sends the browser on to the provider and back, signed in.
 */
function providerLinks(providers, next, verb) {
  if (providers.length === 0) return "";
  return html`<ul class="providers">${providers.map(
    ({ id, name }) => html`
      <li><a href="/auth/oauth/${encodeURIComponent(id)}?redirectTo=${encodeURIComponent(withProvider(next, id))}" data-provider="${id}" data-name="${name}">${verb} with ${name}</a></li>`,
  )}
    </ul>`;
}

// `next` is where to go after signing in: the server checked `?next=` with safeRedirectPath,
// so the page only ever holds a path on this site. `providers`: [{ id, name }] from auth.mjs.
export function signUp(caller, next, providers = []) {
  return layout(
    "Sign up",
    caller,
    html`<h1>Create an account</h1>
    <form method="post" action="/auth/register" data-client="signUp" data-then="go:${next}">
      <label>Name <input name="name" autocomplete="name"></label>
      <label>Email <input name="email" type="email" required autocomplete="email"></label>
      <label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
      <button type="submit">Sign up</button>
    </form>
    ${providerLinks(providers, next, "Sign up")}
    <p>Already have one? <a href="/sign-in">Sign in</a>.</p>`,
  );
}

export function signIn(caller, next, providers = []) {
  return layout(
    "Sign in",
    caller,
    html`<h1>Sign in</h1>
    <form method="post" action="/auth/login" data-client="signIn" data-then="go:${next}">
      <label>Email <input name="email" type="email" required autocomplete="username webauthn"></label>
      <label>Password <input name="password" type="password" required autocomplete="current-password"></label>
      <button type="submit">Sign in</button>
    </form>
    <p><a href="/forgot-password">Forgot password?</a></p>
    <p><button type="button" data-client="passkeySignIn" data-then="go:${next}">Sign in with a passkey</button></p>
    ${providerLinks(providers, next, "Sign in")}
    <h2>No password?</h2>
    <form method="post" action="/auth/magic-link" data-client="magicLink" data-then="say:If that address has an account, a sign-in link is on its way. In development it is printed in the server's terminal.">
      <input type="hidden" name="redirectTo" value="/account">
      <label>Email <input name="email" type="email" required autocomplete="email"></label>
      <button type="submit">Email me a sign-in link</button>
    </form>`,
  );
}

export function forgotPassword(caller) {
  return layout(
    "Forgot password",
    caller,
    html`<h1>Forgot your password?</h1>
    <p>We will email you a link to set a new one.</p>
    <form method="post" action="/auth/password/forgot" data-client="forgotPassword" data-then="say:If that address has an account, a reset link is on its way. In development it is printed in the server's terminal.">
      <label>Email <input name="email" type="email" required autocomplete="email"></label>
      <button type="submit">Email me a reset link</button>
    </form>
    <p><a href="/sign-in">Back to sign in</a></p>`,
  );
}

// The page the reset email links to (the library's default passwordReset.url, /reset-password),
// with `?token=`. The token goes back in the form; the page never uses it up by being opened.
export function resetPassword(caller, token) {
  return layout(
    "Set a new password",
    caller,
    token
      ? html`<h1>Set a new password</h1>
    <form method="post" action="/auth/password/reset" data-client="resetPassword" data-then="go:/sign-in?notice=password-reset">
      <input type="hidden" name="token" value="${token}">
      <label>New password <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
      <button type="submit">Set password</button>
    </form>
    <p>Every session of the account is signed out; then sign in with the new password.</p>`
      : html`<h1>Set a new password</h1>
    <p>Open this page from the link in the reset email. <a href="/forgot-password">Ask for a new link</a>.</p>`,
  );
}

/**
 * The identities linked at providers, each with "Unlink" (refused, with a message, when it is the
 * last way to sign in), and a "Link <name>" button per provider. Linking needs a recent sign-in
 * or the current password (step-up): app.js posts the form, then sends the browser to the
 * provider. Nothing without configured providers.
 */
function linkedAccounts({ linked, providers }) {
  if (providers.length === 0) return "";
  const nameOf = (id) => providers.find((provider) => provider.id === id)?.name ?? id;
  return html`<h2>Linked accounts</h2>
    ${
      linked.length === 0
        ? html`<p>None yet. Link one to sign in with it.</p>`
        : html`<ul id="linked-accounts">${linked.map(
            (account) => html`
      <li data-provider="${account.provider}" data-name="${nameOf(account.provider)}">${nameOf(account.provider)}${account.email ? html` (${account.email})` : ""}, linked ${when(account.createdAt)}
        <button type="button" data-client="unlinkAccount" data-id="${account.id}" data-then="reload">Unlink</button></li>`,
          )}
    </ul>`
    }
    <form method="post" action="/auth/oauth/${encodeURIComponent(providers[0].id)}/link" data-client="linkProvider">
      <label>Current password (only if you signed in more than 10 minutes ago) <input name="currentPassword" type="password" autocomplete="current-password"></label>
      <p>${providers.map(
        ({ id, name }) => html`
        <button type="submit" formaction="/auth/oauth/${encodeURIComponent(id)}/link" name="redirectTo" value="/account?link=${encodeURIComponent(id)}" data-provider="${id}" data-name="${name}">Link ${name}</button>`,
      )}
      </p>
    </form>`;
}

// `activity`: rows of activity.mjs (`recentActivity`), newest first. `oauth`: the linked
// identities and the configured providers ({ linked: [], providers: [] } without social sign-in).
// `twoFactor`: the section of mfa-pages.mjs.
export function account(
  caller,
  sessions,
  passkeys,
  activity,
  oauth = { linked: [], providers: [] },
  twoFactor = "",
) {
  const { user, session } = caller;
  return layout(
    "Account",
    caller,
    html`<h1>Your account</h1>
    <p>Signed in as <strong id="email">${user.email}</strong>${user.name ? html` (${user.name})` : ""}.</p>

    <h2>Sessions</h2>
    <table>
      <tr><th>Started</th><th>From</th><th>Browser</th><th></th></tr>
      ${sessions.map(
        (s) => html`<tr>
        <td>${when(s.createdAt)}</td><td>${s.ip ?? "—"}</td><td>${(s.userAgent ?? "—").slice(0, 60)}</td>
        <td>${
          s.id === session.id
            ? html`<em>this browser</em>`
            : html`<button type="button" data-client="revokeSession" data-id="${s.id}" data-then="reload">Revoke</button>`
        }</td>
      </tr>`,
      )}
    </table>
    <p><button type="button" data-client="revokeOtherSessions" data-then="reload">Sign out everywhere else</button></p>

    <h2>Passkeys</h2>
    ${
      passkeys.length === 0
        ? html`<p>No passkeys yet.</p>`
        : html`<ul>${passkeys.map(
            (
              p,
            ) => html`<li>${p.name ?? "Unnamed passkey"}, added ${when(p.createdAt)}, last used ${when(p.lastUsedAt)}
          <button type="button" data-client="removePasskey" data-id="${p.id}" data-then="reload">Remove</button></li>`,
          )}</ul>`
    }
    <p><button type="button" data-client="addPasskey" data-then="reload">Add a passkey</button></p>

    ${twoFactor}

    <h2>Password</h2>
    <form method="post" action="/auth/password/change" data-client="changePassword" data-then="say:Password changed. Your other sessions were signed out.">
      <label>Current password <input name="currentPassword" type="password" required autocomplete="current-password"></label>
      <label>New password <input name="newPassword" type="password" required minlength="8" autocomplete="new-password"></label>
      <button type="submit">Change password</button>
    </form>
    ${linkedAccounts(oauth)}

    <h2>Recent security activity</h2>
    ${
      activity.length === 0
        ? html`<p>Nothing yet.</p>`
        : html`<table id="activity">
      <tr><th>When</th><th>What</th><th>From</th><th>Browser</th></tr>
      ${activity.map(
        (row) => html`<tr data-event="${row.type}">
        <td><time datetime="${row.at}">${row.when}</time></td><td>${row.what}</td><td>${row.ip ?? "—"}</td>
        <td title="${row.userAgent ?? ""}">${row.browser}</td>
      </tr>`,
      )}
    </table>`
    }`,
  );
}
