"use client";

import { callAuth } from "@/lib/client";

export function SignOut() {
  async function signOut() {
    await callAuth("/logout", { method: "POST" });
    window.location.assign("/sign-in");
  }
  return (
    <button type="button" onClick={signOut}>
      Sign out
    </button>
  );
}
