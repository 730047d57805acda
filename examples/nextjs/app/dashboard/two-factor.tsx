"use client";

import { useRouter } from "next/navigation";
import { isPortcullisClientError } from "portcullis/client";
import { type FormEvent, type ReactNode, useState } from "react";
import { authClient, explain } from "@/lib/client";
import { qrCodeImage } from "@/lib/qr-code";

/** Where the user's two-factor authentication stands, from `getMfaStatus` on the server. */
export interface TwoFactorStatus {
  enabled: boolean;
  /** ISO date, or null. */
  enabledAt: string | null;
  recoveryCodesRemaining: number;
}

const wrongPassword = { invalid_credentials: "Your current password is wrong." };

/** A field's value, or undefined when it was left empty. */
const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
};

/** What the "Turn off" field holds: a code as the app shows it (`123 456`), or a recovery code. */
const factor = (value = "") =>
  /^\d{3} ?\d{3}$/.test(value.trim()) ? { code: value } : { recoveryCode: value };

/** A 6-digit code as authenticator apps show it; `123 456` is accepted too. */
const codeInput = {
  name: "code",
  required: true,
  inputMode: "numeric",
  autoComplete: "one-time-code",
  pattern: "[0-9]{3} ?[0-9]{3}",
  maxLength: 7,
} as const;

/**
 * Step-up: setting up and turning on need a session signed in within the last 10 minutes. When
 * the server answers `reauthentication_required`, this field shows and the next try sends the
 * password. (Or sign in again: a new session is fresh.)
 */
function Reauthentication() {
  return (
    <p>
      For your safety, enter your password again (or{" "}
      <a href="/sign-in?next=/dashboard">sign in again</a>):{" "}
      <input
        name="reauthPassword"
        type="password"
        autoComplete="current-password"
        aria-label="Current password"
        required
      />
    </p>
  );
}

/**
 * The dashboard's section. Off, it sets up an authenticator app: the QR code and the key, then
 * the code that turns it on, then the recovery codes, shown once. On, it says how many recovery
 * codes are left, makes new ones, or turns it off.
 */
export function TwoFactor({
  status,
  emailVerified,
}: {
  status: TwoFactorStatus;
  emailVerified: boolean;
}) {
  const [setup, setSetup] = useState<{ secret: string; qrCode: string } | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [reauthenticate, setReauthenticate] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // Re-renders the server parts of the page (this section's status, the activity list).
  const router = useRouter();

  /** Runs `work` with the form's fields; a `reauthentication_required` shows the password. */
  function submit(work: (form: FormData) => Promise<void>, overrides = {}) {
    return async (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const element = event.currentTarget;
      try {
        await work(new FormData(element));
        element.reset();
        setMessage(null);
        router.refresh();
      } catch (error) {
        if (isPortcullisClientError(error) && error.code === "reauthentication_required") {
          setReauthenticate(true);
        }
        setMessage(explain(error, overrides));
      }
    };
  }
  const stepUp = (form: FormData) => {
    const currentPassword = field(form, "reauthPassword");
    return currentPassword === undefined ? {} : { currentPassword };
  };

  const start = submit(async (form) => {
    const { secret, uri } = await authClient.mfa.setup(stepUp(form));
    setSetup({ secret, qrCode: qrCodeImage(uri) });
    setReauthenticate(false);
  }, wrongPassword);
  const enable = submit(async (form) => {
    const { recoveryCodes } = await authClient.mfa.enable(String(form.get("code")), stepUp(form));
    setSetup(null);
    setRecoveryCodes(recoveryCodes);
  }, wrongPassword);
  const regenerate = submit(async (form) => {
    const { recoveryCodes } = await authClient.mfa.regenerateRecoveryCodes(
      String(form.get("code")),
    );
    setRecoveryCodes(recoveryCodes);
  });
  const disable = submit(async (form) => {
    await authClient.mfa.disable(factor(field(form, "factor")));
  });
  async function confirmAddress() {
    try {
      await authClient.requestEmailVerification();
      setMessage("A confirmation link is on its way (in development: the server console).");
    } catch (error) {
      setMessage(explain(error));
    }
  }

  let body: ReactNode;
  if (recoveryCodes) {
    // Shown this once, from the answer that made them: "I saved them" forgets them.
    body = (
      <>
        <p>
          <strong>Save your recovery codes now: they are shown only this once.</strong> Each one
          signs you in once instead of a code, if you lose your phone. Keep them somewhere safe,
          like a password manager.
        </p>
        <ol id="mfa-recovery-codes">
          {recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ol>
        <button type="button" onClick={() => setRecoveryCodes(null)}>
          I saved them
        </button>
      </>
    );
  } else if (status.enabled) {
    const left = status.recoveryCodesRemaining;
    body = (
      <>
        <p id="mfa-status">
          On since {status.enabledAt?.slice(0, 10) ?? "—"}. Recovery codes left:{" "}
          <strong>{left}</strong>.
        </p>
        {left <= 3 && (
          <p>
            <strong>You are running out of recovery codes:</strong> make new ones.
          </p>
        )}
        <form onSubmit={regenerate}>
          <p>
            <label>
              Code from your authenticator app <input {...codeInput} />
            </label>
          </p>
          <button type="submit">Regenerate recovery codes</button>
        </form>
        <form onSubmit={disable}>
          <p>
            <label>
              Code from your authenticator app, or a recovery code{" "}
              <input
                name="factor"
                required
                autoComplete="one-time-code"
                autoCapitalize="none"
                spellCheck={false}
              />
            </label>
          </p>
          <button type="submit">Turn off</button>
        </form>
      </>
    );
  } else if (!emailVerified) {
    // The library waits for a confirmed address: until then, whoever proves the address could
    // take the account back, and a second factor set up by a squatter must not be in the way.
    body = (
      <>
        <p id="mfa-status">Off. To turn it on, first confirm your email address.</p>
        <button type="button" onClick={confirmAddress}>
          Email me a confirmation link
        </button>
      </>
    );
  } else if (setup) {
    body = (
      <>
        <p>Scan this QR code with your authenticator app, or type the key into it.</p>
        <p>
          {/* A data: URL made in the page, not an image to optimise: next/image has no use here. */}
          {/* biome-ignore lint/performance/noImgElement: see above */}
          <img
            id="mfa-qr"
            src={setup.qrCode}
            alt="QR code for your authenticator app"
            width={240}
            height={240}
          />
        </p>
        <p>
          {/* In groups of four, as apps that take the key by hand show it. */}
          Key: <code id="mfa-secret">{setup.secret.match(/.{1,4}/g)?.join(" ")}</code>
        </p>
        <form onSubmit={enable}>
          <p>
            <label>
              Enter the 6-digit code your app shows <input {...codeInput} />
            </label>
          </p>
          {reauthenticate && <Reauthentication />}
          <button type="submit">Turn on</button>
        </form>
      </>
    );
  } else {
    body = (
      <>
        <p id="mfa-status">
          Off. With it on, signing in also asks for a 6-digit code from an authenticator app on your
          phone.
        </p>
        <form onSubmit={start}>
          {reauthenticate && <Reauthentication />}
          <button type="submit">Set up two-factor authentication</button>
        </form>
      </>
    );
  }

  return (
    <section id="two-factor">
      <h2>Two-factor authentication</h2>
      {body}
      {message && <p role="status">{message}</p>}
    </section>
  );
}
