import type { AuthEventType } from "../events/events.js";
import type { MailMessage } from "../mail/message.js";

/*
 * What one outbox record carries, tagged by kind: a mail message or a webhook delivery. The
 * record's payload is this, as JSON, sealed by the payload cipher. Records queued before webhooks
 * existed hold a bare MailMessage; they are read as mail, so an upgrade loses none of them.
 */

/**
 * A webhook delivery as queued: everything but the endpoint's secret, which is looked up in the
 * configuration at each attempt (so a restart with a rotated secret signs with the new one).
 */
export interface WebhookDelivery {
  /** The endpoint's URL as configured: how the endpoint (and its secret) is found again. */
  url: string;
  /** The `webhook-id` header: the event's id, the same on every attempt (receivers dedupe on it). */
  id: string;
  /** The event's type (the body's `type`), for dead letters and logs. */
  eventType: AuthEventType;
  /** The exact body signed and sent on every attempt: `{ type, timestamp, data: event }`. */
  body: string;
}

export type Delivery =
  | { kind: "mail"; message: MailMessage }
  | { kind: "webhook"; webhook: WebhookDelivery };

export type DeliveryKind = Delivery["kind"];

/** The delivery of one kind: `DeliveryOf<"mail">` is `{ kind: "mail"; message }`. */
export type DeliveryOf<K extends DeliveryKind> = Extract<Delivery, { kind: K }>;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isMailMessage = (value: unknown): value is MailMessage =>
  isObject(value) && typeof value.to === "string" && typeof value.type === "string";

const isWebhookDelivery = (value: unknown): value is WebhookDelivery =>
  isObject(value) &&
  typeof value.url === "string" &&
  typeof value.id === "string" &&
  typeof value.eventType === "string" &&
  typeof value.body === "string";

export function encodeDelivery(delivery: Delivery): string {
  return JSON.stringify(delivery);
}

/**
 * The delivery an opened payload holds, or null when it is none this version knows (a kind
 * added by a later version, or a malformed record): such a record is dead-lettered, not guessed.
 */
export function decodeDelivery(plaintext: string): Delivery | null {
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  // Queued before deliveries were tagged: a bare MailMessage.
  if (!("kind" in value)) return isMailMessage(value) ? { kind: "mail", message: value } : null;
  if (value.kind === "mail" && isMailMessage(value.message)) {
    return { kind: "mail", message: value.message };
  }
  if (value.kind === "webhook" && isWebhookDelivery(value.webhook)) {
    return { kind: "webhook", webhook: value.webhook };
  }
  return null;
}
