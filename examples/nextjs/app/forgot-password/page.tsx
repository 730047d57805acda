"use client";

import Link from "next/link";
import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

export default function ForgotPassword() {
  const [message, setMessage] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await authClient.forgotPassword({ email: String(form.get("email")) });
      // 202 whether or not the account exists, so this page cannot be used to probe for accounts.
      setMessage(
        "If that address has an account, a reset link is on its way (in development: the server console).",
      );
    } catch (error) {
      setMessage(explain(error));
    }
  }

  return (
    <>
      <form onSubmit={submit}>
        <h1>Forgot your password?</h1>
        <p>We will email you a link to set a new one.</p>
        <p>
          <input name="email" type="email" placeholder="Email" required autoComplete="email" />
        </p>
        <button type="submit">Email me a reset link</button>
        {message && <p role="status">{message}</p>}
      </form>
      <p>
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </>
  );
}
