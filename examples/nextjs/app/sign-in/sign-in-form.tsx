"use client";

import Link from "next/link";
import type { ClientSignInResult } from "portcullis/client";
import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

/** `next`: where to go once signed in, already checked by the page with safeRedirectPath. */
export function SignInForm({ next }: { next: string }) {
  const [message, setMessage] = useState<string | null>(null);

  // An account with two-factor authentication is not signed in yet: first the page that asks
  // for the code, which then goes on to `next`.
  function signedIn(result: ClientSignInResult) {
    window.location.assign(
      result.mfaRequired ? `/sign-in/two-factor?next=${encodeURIComponent(next)}` : next,
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      signedIn(
        await authClient.signIn({
          email: String(form.get("email")),
          password: String(form.get("password")),
        }),
      );
    } catch (error) {
      setMessage(explain(error));
    }
  }

  async function passkey() {
    try {
      signedIn(await authClient.passkeys.signIn());
    } catch (error) {
      setMessage(explain(error));
    }
  }

  return (
    <>
      <form onSubmit={submit}>
        <h1>Sign in</h1>
        <p>
          <input
            name="email"
            type="email"
            placeholder="Email"
            required
            autoComplete="username webauthn"
          />
        </p>
        <p>
          <input
            name="password"
            type="password"
            placeholder="Password"
            required
            autoComplete="current-password"
          />
        </p>
        <button type="submit">Sign in</button>
      </form>
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p>
        <button type="button" onClick={passkey}>
          Sign in with a passkey
        </button>
      </p>
      <p>
        No password? <Link href="/magic-link">Email me a sign-in link</Link>.
      </p>
      {message && <p role="alert">{message}</p>}
    </>
  );
}
