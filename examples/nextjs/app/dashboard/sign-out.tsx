"use client";

import { authClient } from "@/lib/client";

export function SignOut() {
  async function signOut() {
    await authClient.signOut();
    window.location.assign("/sign-in");
  }
  return (
    <button type="button" onClick={signOut}>
      Sign out
    </button>
  );
}
