"use client";

import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

/** `next`: where to go once signed in, already checked by the page with safeRedirectPath. */
export function SignUpForm({ next }: { next: string }) {
  const [message, setMessage] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await authClient.signUp({
        email: String(form.get("email")),
        password: String(form.get("password")),
        name: String(form.get("name") ?? "") || undefined,
      });
      window.location.assign(next);
    } catch (error) {
      setMessage(explain(error));
    }
  }

  return (
    <form onSubmit={submit}>
      <h1>Sign up</h1>
      <p>
        <input name="name" placeholder="Name (optional)" autoComplete="name" />
      </p>
      <p>
        <input name="email" type="email" placeholder="Email" required autoComplete="email" />
      </p>
      <p>
        <input
          name="password"
          type="password"
          placeholder="Password (8+ characters)"
          required
          minLength={8}
          autoComplete="new-password"
        />
      </p>
      <button type="submit">Create account</button>
      {message && <p role="alert">{message}</p>}
    </form>
  );
}
