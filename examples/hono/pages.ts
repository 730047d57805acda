import { html } from "hono/html";
import type { AuthResult, Passkey, Session } from "portcullis";
import type { ActivityRow } from "./activity.js";

type Html = ReturnType<typeof html>;

export function layout(title: string, body: Html) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Portcullis + Hono</title>
    <style>body{font-family:system-ui,sans-serif;max-width:640px;margin:2rem auto}nav{display:flex;gap:1rem;margin-bottom:2rem}</style>
    <script src="/assets/simplewebauthn.js" defer></script>
    <script type="module" src="/assets/app.js"></script>
  </head>
  <body>
    <nav>
      <a href="/">Home</a><a href="/sign-up">Sign up</a><a href="/sign-in">Sign in</a>
      <a href="/magic-link">Magic link</a><a href="/dashboard">Dashboard</a>
    </nav>
    <main>${body}</main>
    <p role="alert" id="message"></p>
  </body>
</html>`;
}

export function home(caller: AuthResult | null) {
  return layout(
    "Home",
    caller
      ? html`<h1>Portcullis + Hono</h1><p>Signed in as <strong>${caller.user.email}</strong>. <a href="/dashboard">Dashboard</a></p>`
      : html`<h1>Portcullis + Hono</h1><p><a href="/sign-up">Create an account</a> or <a href="/sign-in">sign in</a>.</p>`,
  );
}

// `next` is where to go after signing in: the server checked `?next=` with safeRedirectPath,
// so the page only ever holds a path on this site.
export function signUp(next: string) {
  return layout(
    "Sign up",
    html`<h1>Sign up</h1>
<form data-client="signUp" data-then="go:${next}">
  <p><input name="name" placeholder="Name (optional)" autocomplete="name" /></p>
  <p><input name="email" type="email" placeholder="Email" required autocomplete="email" /></p>
  <p><input name="password" type="password" placeholder="Password (8+ characters)" required minlength="8" autocomplete="new-password" /></p>
  <button type="submit">Create account</button>
</form>`,
  );
}

export function signIn(next: string) {
  return layout(
    "Sign in",
    html`<h1>Sign in</h1>
<form data-client="signIn" data-then="go:${next}">
  <p><input name="email" type="email" placeholder="Email" required autocomplete="username webauthn" /></p>
  <p><input name="password" type="password" placeholder="Password" required autocomplete="current-password" /></p>
  <button type="submit">Sign in</button>
</form>
<p><a href="/forgot-password">Forgot password?</a></p>
<p><button type="button" data-client="passkeySignIn" data-then="go:${next}">Sign in with a passkey</button></p>
<p>No password? <a href="/magic-link">Email me a sign-in link</a>.</p>`,
  );
}

export function magicLink() {
  return layout(
    "Magic link",
    html`<h1>Sign in with a link</h1>
<form data-client="magicLink" data-then="say:If that address has an account, a sign-in link is on its way (in development: the server console).">
  <input type="hidden" name="redirectTo" value="/dashboard" />
  <p><input name="email" type="email" placeholder="Email" required autocomplete="email" /></p>
  <button type="submit">Send me a link</button>
</form>`,
  );
}

export function forgotPassword() {
  return layout(
    "Forgot password",
    html`<h1>Forgot your password?</h1>
<p>We will email you a link to set a new one.</p>
<form data-client="forgotPassword" data-then="say:If that address has an account, a reset link is on its way (in development: the server console).">
  <p><input name="email" type="email" placeholder="Email" required autocomplete="email" /></p>
  <button type="submit">Email me a reset link</button>
</form>
<p><a href="/sign-in">Back to sign in</a></p>`,
  );
}

// The page the reset email links to (the library's default passwordReset.url, /reset-password),
// with `?token=`. The token goes back in the form; the page never uses it up by being opened.
export function resetPassword(token: string) {
  return layout(
    "Set a new password",
    token
      ? html`<h1>Set a new password</h1>
<form data-client="resetPassword" data-then="go:/sign-in?notice=password-reset">
  <input type="hidden" name="token" value="${token}" />
  <p><input name="password" type="password" placeholder="New password (8+ characters)" required minlength="8" autocomplete="new-password" /></p>
  <button type="submit">Set password</button>
</form>
<p>Every session of the account is signed out; then sign in with the new password.</p>`
      : html`<h1>Set a new password</h1>
<p>Open this page from the link in the reset email. <a href="/forgot-password">Ask for a new link</a>.</p>`,
  );
}

// `activity`: the rows of activity.ts (`recentActivity`), newest first; `twoFactor`: the
// section of mfa-pages.ts.
export function dashboard(
  caller: AuthResult,
  sessions: Session[],
  passkeys: Passkey[],
  activity: ActivityRow[],
  twoFactor: Html | string = "",
) {
  const { user, session } = caller;
  return layout(
    "Dashboard",
    html`<h1>Dashboard</h1>
<p>Signed in as <strong data-testid="email">${user.email}</strong>${user.name ? ` (${user.name})` : ""}.</p>
<p><button type="button" data-client="signOut" data-then="go:/sign-in">Sign out</button></p>
<h2>Sessions</h2>
<ul>
  ${sessions.map(
    (
      s,
    ) => html`<li>${s.createdAt.toLocaleString()} · ${s.ip ?? "unknown address"} · ${s.userAgent ?? "unknown browser"}
    ${
      s.id === session.id
        ? html`<em>(this one)</em>`
        : html`<button type="button" data-client="revokeSession" data-id="${s.id}" data-then="reload">Revoke</button>`
    }</li>`,
  )}
</ul>
<button type="button" data-client="revokeOtherSessions" data-then="reload">Sign out everywhere else</button>
<h2>Passkeys</h2>
<ul>
  ${passkeys.map(
    (p) => html`<li>${p.name ?? "Unnamed passkey"}
    <button type="button" data-client="removePasskey" data-id="${p.id}" data-then="reload">Delete</button></li>`,
  )}
</ul>
<button type="button" data-client="addPasskey" data-then="reload">Add a passkey</button>
${twoFactor}
<h2>Password</h2>
<form data-client="changePassword" data-then="say:Password changed. Your other sessions were signed out.">
  <p><input name="currentPassword" type="password" placeholder="Current password" required autocomplete="current-password" /></p>
  <p><input name="newPassword" type="password" placeholder="New password (8+ characters)" required minlength="8" autocomplete="new-password" /></p>
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
