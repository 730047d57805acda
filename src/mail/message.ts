/** What each message is for; templates, tests and logs tell messages apart by it. */
export type MailType =
  | "magic-link"
  | "login-code"
  | "email-verification"
  | "password-reset"
  | "email-change"
  | "email-change-requested"
  | "email-change-notice";

/** One message to one recipient: the address stored for the account, never a list. */
export interface MailMessage {
  type: MailType;
  /** Exactly one address. Mailers must send it as one recipient, never parse it as a list. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The link the message carries, when it carries one (a bearer secret: do not log it). */
  url?: string;
  /** The one-time code the message carries, for "login-code". */
  code?: string;
  /** When the link or code stops working (ISO 8601): the outbox does not deliver it after. */
  expiresAt?: string;
}

/**
 * Delivers a message, or throws. A throw is not lost: the outbox keeps the message and retries.
 * `send` should give up (throw) within the outbox lease (`outbox.leaseSeconds`).
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
