"use client";

import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

export function ResetPasswordForm({ token }: { token: string }) {
  const [message, setMessage] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await authClient.resetPassword({ token, password: String(form.get("password")) });
      // Every session of the account ended: sign in with the new password.
      window.location.assign("/sign-in?notice=password-reset");
    } catch (error) {
      setMessage(explain(error));
    }
  }

  return (
    <form onSubmit={submit}>
      <h1>Set a new password</h1>
      <p>
        <input
          name="password"
          type="password"
          placeholder="New password (8+ characters)"
          required
          minLength={8}
          autoComplete="new-password"
        />
      </p>
      <button type="submit">Set password</button>
      {message && <p role="alert">{message}</p>}
    </form>
  );
}
