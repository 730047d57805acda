"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient, explain } from "@/lib/client";

export function ChangePassword() {
  const [message, setMessage] = useState<string | null>(null);
  // Re-renders the server parts of the page (the activity list) and keeps this state.
  const router = useRouter();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    try {
      await authClient.changePassword({
        currentPassword: String(form.get("currentPassword")),
        newPassword: String(form.get("newPassword")),
      });
      element.reset();
      setMessage("Password changed. Your other sessions were signed out.");
      router.refresh();
    } catch (error) {
      // Here a wrong password can only be the current one, not an "email or password".
      setMessage(explain(error, { invalid_credentials: "Your current password is wrong." }));
    }
  }

  return (
    <section>
      <h2>Password</h2>
      <form onSubmit={submit}>
        <p>
          <input
            name="currentPassword"
            type="password"
            placeholder="Current password"
            required
            autoComplete="current-password"
          />
        </p>
        <p>
          <input
            name="newPassword"
            type="password"
            placeholder="New password (8+ characters)"
            required
            minLength={8}
            autoComplete="new-password"
          />
        </p>
        <button type="submit">Change password</button>
      </form>
      {message && <p role="status">{message}</p>}
    </section>
  );
}
