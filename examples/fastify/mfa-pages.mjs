// Two-factor authentication's HTML: the section of the account page and the page that asks for
// the second factor at sign-in. public/two-factor.js makes them work (portcullis/client); the
// routes are the library's, /auth/mfa/*.
import { html, layout } from "./pages.mjs";

const day = (date) => (date ? new Date(date).toISOString().slice(0, 10) : "—");

// A 6-digit code as authenticator apps show it; `123 456` is accepted too.
const codeInput = html`<input name="code" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{3} ?[0-9]{3}" maxlength="7">`;

/**
 * Step-up: a change like this needs a session signed in within the last 10 minutes. When the
 * server answers `reauthentication_required`, two-factor.js shows this field and the next try
 * sends the password. (Or sign in again: a new session is fresh.)
 */
const reauthentication = html`<p class="reauth" hidden>For your safety, enter your password again
        (or <a href="/sign-in?next=/account">sign in again</a>):
        <input name="reauthPassword" type="password" autocomplete="current-password" aria-label="Current password" disabled></p>`;

// Filled and shown by two-factor.js after "Turn on" or "Regenerate recovery codes": the codes
// exist in this page only, once.
const recoveryCodes = html`<div id="mfa-recovery" hidden>
      <p><strong>Save your recovery codes now: they are shown only this once.</strong> Each one
      signs you in once instead of a code, if you lose your phone. Keep them somewhere safe, like a
      password manager.</p>
      <ol id="mfa-recovery-codes"></ol>
      <p><button type="button" data-client="mfaSavedCodes" data-then="reload">I saved them</button></p>
    </div>`;

/**
 * The account page's section. `status` is `auth.api.getMfaStatus(user.id)`. Off, it sets up an
 * authenticator app: the QR code and the key (two-factor.js draws the QR code in the browser,
 * from the set-up's answer), then the code that turns it on, then the recovery codes. On, it
 * says how many recovery codes are left, makes new ones, or turns it off.
 */
export function twoFactorSection(user, status) {
  let body;
  if (status.enabled) {
    const left = status.recoveryCodesRemaining;
    body = html`<div id="mfa-manage">
      <p id="mfa-status">On since ${day(status.enabledAt)}. Recovery codes left: <strong>${left}</strong>.</p>
      ${left <= 3 ? html`<p><strong>You are running out of recovery codes:</strong> make new ones.</p>` : ""}
      <form method="post" action="/auth/mfa/recovery-codes" data-client="mfaRegenerate">
        <label>Code from your authenticator app ${codeInput}</label>
        <button type="submit">Regenerate recovery codes</button>
      </form>
      <form method="post" action="/auth/mfa/disable" data-client="mfaDisable" data-then="reload">
        <label>Code from your authenticator app, or a recovery code
          <input name="factor" required autocomplete="one-time-code" autocapitalize="none" spellcheck="false"></label>
        <button type="submit">Turn off</button>
      </form>
    </div>
    ${recoveryCodes}`;
  } else if (!user.emailVerified) {
    // The library waits for a confirmed address: until then, whoever proves the address could
    // take the account back, and a second factor set up by a squatter must not be in the way.
    body = html`<p id="mfa-status">Off. To turn it on, first confirm your email address.</p>
    <p><button type="button" data-client="requestEmailVerification" data-then="say:A confirmation link is on its way. In development it is printed in the server's terminal.">Email me a confirmation link</button></p>`;
  } else {
    body = html`<div id="mfa-off">
      <p id="mfa-status">Off. With it on, signing in also asks for a 6-digit code from an
      authenticator app on your phone.</p>
      <form id="mfa-start" method="post" action="/auth/mfa/totp/setup" data-client="mfaSetup">
        ${reauthentication}
        <button type="submit">Set up two-factor authentication</button>
      </form>
    </div>
    <div id="mfa-setup" hidden>
      <p>Scan this QR code with your authenticator app, or type the key into it.</p>
      <p><img id="mfa-qr" alt="QR code for your authenticator app" width="240" height="240"></p>
      <p>Key: <code id="mfa-secret"></code></p>
      <form id="mfa-enable" method="post" action="/auth/mfa/totp/enable" data-client="mfaEnable">
        <label>Enter the 6-digit code your app shows ${codeInput}</label>
        ${reauthentication}
        <button type="submit">Turn on</button>
      </form>
    </div>
    ${recoveryCodes}`;
  }
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
export function secondFactor(caller, next) {
  return layout(
    "Two-factor authentication",
    caller,
    html`<h1>Two-factor authentication</h1>
    <form method="post" action="/auth/mfa/verify" data-client="mfaVerify" data-then="go:${next}">
      <label>Enter the 6-digit code from your authenticator app ${codeInput}</label>
      <button type="submit">Verify</button>
    </form>
    <details>
      <summary>Use a recovery code instead</summary>
      <form method="post" action="/auth/mfa/verify" data-client="mfaVerify" data-then="go:${next}">
        <label>Recovery code <input name="recoveryCode" required autocomplete="off" autocapitalize="none" spellcheck="false"></label>
        <button type="submit">Verify</button>
      </form>
    </details>
    <p>Lost your phone and your recovery codes? Ask the site's support to turn it off for you.
    <a href="/sign-in">Start over</a></p>
    <script type="module" src="/assets/two-factor.js"></script>`,
  );
}
