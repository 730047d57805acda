import { html } from "hono/html";
import type { MfaStatus, User } from "portcullis";
import { layout } from "./pages.js";

/*
 * Two-factor authentication's HTML: the dashboard's section and the page that asks for the
 * second factor at sign-in. public/two-factor.js makes them work (portcullis/client); the routes
 * are the library's, /auth/mfa/*.
 */

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "—");

// A 6-digit code as authenticator apps show it; `123 456` is accepted too.
const codeInput = html`<input name="code" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{3} ?[0-9]{3}" maxlength="7" />`;

/*
 * Step-up: a change like this needs a session signed in within the last 10 minutes. When the
 * server answers `reauthentication_required`, two-factor.js shows this field and the next try
 * sends the password. (Or sign in again: a new session is fresh.)
 */
const reauthentication = html`<p class="reauth" hidden>For your safety, enter your password again
    (or <a href="/sign-in?next=/dashboard">sign in again</a>):
    <input name="reauthPassword" type="password" autocomplete="current-password" aria-label="Current password" disabled /></p>`;

// Filled and shown by two-factor.js after "Turn on" or "Regenerate recovery codes": the codes
// exist in this page only, once.
const recoveryCodes = html`<div id="mfa-recovery" hidden>
  <p><strong>Save your recovery codes now: they are shown only this once.</strong> Each one signs
  you in once instead of a code, if you lose your phone. Keep them somewhere safe, like a password
  manager.</p>
  <ol id="mfa-recovery-codes"></ol>
  <p><button type="button" data-client="mfaSavedCodes" data-then="reload">I saved them</button></p>
</div>`;

/**
 * The dashboard's section; `status` is `auth.api.getMfaStatus(user.id)`. Off, it sets up an authenticator app: the QR code and the key
 * (two-factor.js draws the QR code in the browser, from the set-up's answer), then the code that
 * turns it on, then the recovery codes. On, it says how many recovery codes are left, makes new
 * ones, or turns it off.
 */
export function twoFactorSection(user: User, status: MfaStatus) {
  const left = status.recoveryCodesRemaining;
  const body = status.enabled
    ? html`<div id="mfa-manage">
  <p id="mfa-status">On since ${day(status.enabledAt)}. Recovery codes left: <strong>${left}</strong>.</p>
  ${left <= 3 ? html`<p><strong>You are running out of recovery codes:</strong> make new ones.</p>` : ""}
  <form data-client="mfaRegenerate">
    <p><label>Code from your authenticator app ${codeInput}</label></p>
    <button type="submit">Regenerate recovery codes</button>
  </form>
  <form data-client="mfaDisable" data-then="reload">
    <p><label>Code from your authenticator app, or a recovery code
      <input name="factor" required autocomplete="one-time-code" autocapitalize="none" spellcheck="false" /></label></p>
    <button type="submit">Turn off</button>
  </form>
</div>
${recoveryCodes}`
    : !user.emailVerified
      ? // The library waits for a confirmed address: until then, whoever proves the address could
        // take the account back, and a second factor set up by a squatter must not be in the way.
        html`<p id="mfa-status">Off. To turn it on, first confirm your email address.</p>
<p><button type="button" data-client="requestEmailVerification" data-then="say:A confirmation link is on its way (in development: the server console).">Email me a confirmation link</button></p>`
      : html`<div id="mfa-off">
  <p id="mfa-status">Off. With it on, signing in also asks for a 6-digit code from an
  authenticator app on your phone.</p>
  <form id="mfa-start" data-client="mfaSetup">
    ${reauthentication}
    <button type="submit">Set up two-factor authentication</button>
  </form>
</div>
<div id="mfa-setup" hidden>
  <p>Scan this QR code with your authenticator app, or type the key into it.</p>
  <p><img id="mfa-qr" alt="QR code for your authenticator app" width="240" height="240" /></p>
  <p>Key: <code id="mfa-secret"></code></p>
  <form id="mfa-enable" data-client="mfaEnable">
    <p><label>Enter the 6-digit code your app shows ${codeInput}</label></p>
    ${reauthentication}
    <button type="submit">Turn on</button>
  </form>
</div>
${recoveryCodes}`;
  return html`<h2>Two-factor authentication</h2>
<section id="two-factor">
${body}
</section>
<script type="module" src="/assets/two-factor.js"></script>`;
}

/**
 * The second step of a sign-in (a password, a magic link, a passkey without a PIN) of an account
 * with two-factor authentication: the code, or a recovery code. The pending step lives in an
 * HttpOnly cookie that only /auth/mfa/verify reads. `next` is a path on this site
 * (safeRedirectPath).
 */
export function secondFactor(next: string) {
  return layout(
    "Two-factor authentication",
    html`<h1>Two-factor authentication</h1>
<form data-client="mfaVerify" data-then="go:${next}">
  <p><label>Enter the 6-digit code from your authenticator app ${codeInput}</label></p>
  <button type="submit">Verify</button>
</form>
<details>
  <summary>Use a recovery code instead</summary>
  <form data-client="mfaVerify" data-then="go:${next}">
    <p><label>Recovery code <input name="recoveryCode" required autocomplete="off" autocapitalize="none" spellcheck="false" /></label></p>
    <button type="submit">Verify</button>
  </form>
</details>
<p>Lost your phone and your recovery codes? Ask the site's support to turn it off for you.
<a href="/sign-in">Start over</a></p>
<script type="module" src="/assets/two-factor.js"></script>`,
  );
}
