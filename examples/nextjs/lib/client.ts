import { createClient, isPortcullisClientError } from "portcullis/client";
import { messageFor } from "./messages";

/**
 * The browser's way to the Portcullis routes: same-origin fetch, so the session cookie and the
 * Origin header (which the CSRF check wants) go along. Passkeys load @simplewebauthn/browser on
 * first use; an app without passkeys can drop the option and the package.
 */
export const authClient = createClient({ webauthn: () => import("@simplewebauthn/browser") });

const sentence = (text: string) => {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? "" : "."}`;
};

/** What to tell the person about a failed call: the app's sentence, and what the form got wrong. */
export function explain(error: unknown, overrides: Record<string, string> = {}): string {
  // Not from the server: the browser's own, e.g. a passkey prompt that was cancelled.
  if (!isPortcullisClientError(error)) {
    return error instanceof Error ? error.message : "Something went wrong. Please try again.";
  }
  const details = error.code === "invalid_request" ? (error.issues ?? []) : [];
  return [messageFor(error.code, overrides), ...details.map((issue) => sentence(issue.message))]
    .join(" ")
    .trim();
}
