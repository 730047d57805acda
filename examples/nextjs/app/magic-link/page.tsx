"use client";

import { type FormEvent, useState } from "react";
import { callAuth } from "@/lib/client";

export default function MagicLink() {
  const [message, setMessage] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await callAuth("/magic-link", {
      body: { email: form.get("email"), redirectTo: "/dashboard" },
    });
    // 202 whether or not the account exists, so this page cannot be used to probe for accounts.
    setMessage(
      result.ok
        ? "If that address has an account, a sign-in link is on its way (in development: the server console)."
        : result.message,
    );
  }

  return (
    <form onSubmit={submit}>
      <h1>Sign in with a link</h1>
      <p>
        <input name="email" type="email" placeholder="Email" required autoComplete="email" />
      </p>
      <button type="submit">Send me a link</button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}
