"use client";

import Link from "next/link";
import type { ClientSecondFactor } from "portcullis/client";
import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

// The pending step lasts 10 minutes and works once: after that, only a new sign-in helps.
const expired = {
  token_invalid: "This sign-in has expired or was already completed. Please sign in again.",
};

/**
 * The code from the authenticator app, or a recovery code, for the sign-in that stopped at the
 * second factor (its pending step is an HttpOnly cookie that only /auth/mfa/verify reads). `next`
 * was checked by the page with safeRedirectPath.
 */
export function SecondFactorForm({ next }: { next: string }) {
  const [message, setMessage] = useState<string | null>(null);

  function verify(read: (form: FormData) => ClientSecondFactor) {
    return async (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      try {
        await authClient.mfa.verify(read(new FormData(event.currentTarget)));
        window.location.assign(next);
      } catch (error) {
        setMessage(explain(error, expired));
      }
    };
  }

  return (
    <>
      <h1>Two-factor authentication</h1>
      <form onSubmit={verify((form) => ({ code: String(form.get("code")) }))}>
        <p>
          <label>
            Enter the 6-digit code from your authenticator app{" "}
            <input
              name="code"
              required
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{3} ?[0-9]{3}"
              maxLength={7}
            />
          </label>
        </p>
        <button type="submit">Verify</button>
      </form>
      <details>
        <summary>Use a recovery code instead</summary>
        <form onSubmit={verify((form) => ({ recoveryCode: String(form.get("recoveryCode")) }))}>
          <p>
            <label>
              Recovery code{" "}
              <input
                name="recoveryCode"
                required
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
              />
            </label>
          </p>
          <button type="submit">Verify</button>
        </form>
      </details>
      <p>
        Lost your phone and your recovery codes? Ask the site's support to turn it off for you.{" "}
        <Link href="/sign-in">Start over</Link>
      </p>
      {message && <p role="alert">{message}</p>}
    </>
  );
}
