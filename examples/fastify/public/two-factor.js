// Two-factor authentication in the browser: the account page's set-up (the QR code and the key,
// the code that turns it on, the recovery codes shown once), new recovery codes, turning it off,
// and the second-factor page at sign-in. Its calls join app.js's forms and buttons, so they are
// sent, and their errors said, like every other form's.

import { auth, buttons, formMessages, forms } from "/assets/app.js";
import { isPortcullisClientError } from "/assets/portcullis/client.js";
import qrcode from "/assets/qrcode-generator.js";

const element = (id) => document.getElementById(id);

/**
 * The QR code of the otpauth:// URI, made here, in the page, by qrcode-generator (served from
 * node_modules): the URI holds the secret, so it never goes to a QR code service, nor back to the
 * server. The SVG goes in an <img> as a data: URL, where it can run nothing and read nothing of
 * the page.
 */
function drawQRCode(image, uri) {
  const qr = qrcode(0, "M");
  qr.addData(uri);
  qr.make();
  const svg = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
  image.src = `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The recovery codes, shown this once: "I saved them" reloads the page, and they are gone. */
function showRecoveryCodes(codes) {
  const items = codes.map((code) => {
    const item = document.createElement("li");
    item.textContent = code;
    return item;
  });
  element("mfa-recovery-codes").replaceChildren(...items);
  for (const id of ["mfa-setup", "mfa-manage"]) {
    if (element(id)) element(id).hidden = true;
  }
  element("mfa-recovery").hidden = false;
}

/**
 * Setting up and turning on need a session signed in within the last 10 minutes. An older one
 * is answered `reauthentication_required`: then the form shows its password field, and the next
 * try sends the password as step-up (`currentPassword`).
 */
async function withStepUp(formId, work) {
  try {
    return await work();
  } catch (error) {
    if (isPortcullisClientError(error) && error.code === "reauthentication_required") {
      const step = element(formId).querySelector(".reauth");
      const input = step.querySelector("input");
      step.hidden = false;
      input.disabled = false;
      input.required = true;
      input.focus();
    }
    throw error;
  }
}
const stepUp = (fields) =>
  fields.reauthPassword === undefined ? {} : { currentPassword: fields.reauthPassword };

// What the "Turn off" field holds: a code as the app shows it (`123 456`), or a recovery code.
const factor = (value = "") =>
  /^\d{3} ?\d{3}$/.test(value.trim()) ? { code: value } : { recoveryCode: value };

Object.assign(forms, {
  async mfaSetup(fields) {
    const { secret, uri } = await withStepUp("mfa-start", () => auth.mfa.setup(stepUp(fields)));
    drawQRCode(element("mfa-qr"), uri);
    // In groups of four, as apps that take the key by hand show it.
    element("mfa-secret").textContent = secret.match(/.{1,4}/g).join(" ");
    element("mfa-off").hidden = true;
    element("mfa-setup").hidden = false;
    element("mfa-setup").querySelector('input[name="code"]').focus();
  },
  async mfaEnable(fields) {
    const { recoveryCodes } = await withStepUp("mfa-enable", () =>
      auth.mfa.enable(fields.code, stepUp(fields)),
    );
    showRecoveryCodes(recoveryCodes);
  },
  async mfaRegenerate(fields) {
    showRecoveryCodes((await auth.mfa.regenerateRecoveryCodes(fields.code)).recoveryCodes);
  },
  mfaDisable: (fields) => auth.mfa.disable(factor(fields.factor)),
  // The second step of a sign-in: then the page goes on to its `data-then`.
  mfaVerify: (fields) =>
    auth.mfa.verify(
      fields.recoveryCode === undefined
        ? { code: fields.code }
        : { recoveryCode: fields.recoveryCode },
    ),
});

const wrongPassword = { invalid_credentials: "Your current password is wrong." };
Object.assign(formMessages, {
  mfaSetup: wrongPassword,
  mfaEnable: wrongPassword,
  // The pending step lasts 10 minutes and works once: after that, only a new sign-in helps.
  mfaVerify: {
    token_invalid: "This sign-in has expired or was already completed. Please sign in again.",
  },
});

Object.assign(buttons, {
  requestEmailVerification: () => auth.requestEmailVerification(),
  // Nothing to send: the button's `data-then="reload"` shows the page without the codes.
  mfaSavedCodes: async () => {},
});
