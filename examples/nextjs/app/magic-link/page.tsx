"use client";

import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

export default function MagicLink() {
  const [message, setMessage] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await authClient.magicLink.request({
        email: String(form.get("email")),
        redirectTo: "/dashboard",
      });
      // 202 whether or not the account exists, so this page cannot be used to probe for accounts.
      setMessage(
        "If that address has an account, a sign-in link is on its way (in development: the server console).",
      );
    } catch (error) {
      setMessage(explain(error));
    }
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
