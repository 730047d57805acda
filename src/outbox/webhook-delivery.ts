import type { ResolvedWebhookEndpoint } from "../config/webhook-options.js";
import type { EventBus } from "../events/bus.js";
import type { AuthEvent } from "../events/events.js";
import type { WebhookDelivery } from "./delivery.js";
import type { Outbox } from "./outbox.js";

/*
 * Which events become webhook deliveries. An endpoint takes the types its `events` lists, or
 * every type with `"*"`. The body is built once, at enqueue, and stored: every attempt sends (and
 * signs) the same bytes, and `webhook-id` is the event's id, so a receiver deduplicates retries.
 */

/** The event as sent: Standard Webhooks' `{ type, timestamp, data }`, `data` as listeners get it. */
export function webhookBody(event: AuthEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event });
}

/** The deliveries of one event: one per endpoint that takes its type. */
export function webhookDeliveries(
  endpoints: readonly ResolvedWebhookEndpoint[],
  event: AuthEvent,
): WebhookDelivery[] {
  const takers = endpoints.filter(
    (endpoint) => endpoint.events.includes("*") || endpoint.events.includes(event.type),
  );
  if (takers.length === 0) return [];
  const body = webhookBody(event);
  return takers.map((endpoint) => ({
    url: endpoint.url,
    id: event.id,
    eventType: event.type,
    body,
  }));
}

/**
 * Queues a delivery of every event to every endpoint that takes it. The bus awaits listeners and
 * events are emitted after the change is stored, so a delivery is durable in the outbox before
 * the request answers; its first attempt then runs without holding the response.
 */
export function subscribeWebhooks(
  events: EventBus,
  outbox: Outbox,
  endpoints: readonly ResolvedWebhookEndpoint[],
): void {
  if (endpoints.length === 0) return;
  events.on("*", async (event) => {
    // Each endpoint's delivery is queued even when another's write fails; the bus logs a failure.
    await Promise.all(
      webhookDeliveries(endpoints, event).map((webhook) =>
        outbox.send({ kind: "webhook", webhook }),
      ),
    );
  });
}
