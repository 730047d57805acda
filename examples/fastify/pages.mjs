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
  <title>${title} · Portcullis + Fastify</title>
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
    html`<h1>Portcullis + Fastify</h1>
    ${
      caller
        ? html`<p>Signed in as <strong>${caller.user.email}</strong>. Go to <a href="/account">your account</a>.</p>`
        : html`<p><a href="/sign-up">Create an account</a> or <a href="/sign-in">sign in</a>.</p>`
    }
    <p>The protected API route: <a href="/api/me"><code>GET /api/me</code></a>.</p>`,
  );
}

// `next` is where to go after signing in: the server checked `?next=` with safeRedirectPath,
// so the page only ever holds a path on this site.
export function signUp(caller, next) {
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
    <p>Already have one? <a href="/sign-in">Sign in</a>.</p>`,
  );
}

export function signIn(caller, next) {
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

// `activity`: rows of activity.mjs (`recentActivity`), newest first; `twoFactor`: the section of
// mfa-pages.mjs.
export function account(caller, sessions, passkeys, activity, twoFactor = "") {
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
