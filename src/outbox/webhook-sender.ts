import { type ResolvedWebhookEndpoint, webhookUrlKey } from "../config/webhook-options.js";
import { decodeWebhookSecret, signWebhook } from "../crypto/webhook-signature.js";
import type { DeliveryOf } from "./delivery.js";
import type { Carrier } from "./outbox.js";

/*
 * One attempt at a webhook delivery: a POST of the stored body, signed afresh (Standard Webhooks:
 * `webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret the endpoint has in the
 * configuration now. Any 2xx is delivered; any other answer, a network error or no answer within
 * the timeout is a failed attempt, retried by the outbox. Web `fetch` only: no Node module.
 */

/** The `user-agent` of every delivery: the webhook format's version, not the library's. */
export const WEBHOOK_USER_AGENT = "Portcullis-Webhooks/1";

export interface WebhookSenderOptions {
  endpoints: readonly ResolvedWebhookEndpoint[];
  now(): Date;
  /**
   * The outbox lease in seconds: an attempt never waits longer, or another instance could claim
   * the delivery while this one still waits for the answer.
   */
  leaseSeconds: number;
}

/** Why a request got no answer, as a line for `lastError` (never the URL's query, nor a secret). */
function describeFailure(error: unknown, timeoutSeconds: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") return `no answer within ${timeoutSeconds} s`;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string") return `request failed: ${code}`;
  if (cause instanceof Error) return `request failed: ${cause.message}`;
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** The origin of a URL, for messages: a path or query may hold a token of the receiver's. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

export function webhookCarrier(options: WebhookSenderOptions): Carrier<DeliveryOf<"webhook">> {
  const byUrl = new Map(
    options.endpoints.map((endpoint) => [webhookUrlKey(endpoint.url), endpoint] as const),
  );
  const endpointOf = (url: string) => byUrl.get(webhookUrlKey(url));

  return {
    refuse({ webhook }) {
      // Without its endpoint there is no secret to sign with, and nowhere we still mean to send.
      return endpointOf(webhook.url) === undefined
        ? `webhook endpoint ${webhookOrigin(webhook.url)} is no longer configured (webhooks option): not delivered`
        : null;
    },
    async deliver({ webhook }) {
      const endpoint = endpointOf(webhook.url);
      // The schema refused a bad secret at startup; `refuse` ran just before.
      const key = endpoint ? decodeWebhookSecret(endpoint.secret) : null;
      if (!endpoint || !key) throw new Error("webhook endpoint is not configured");
      const timeoutSeconds = Math.min(endpoint.timeoutSeconds, options.leaseSeconds);
      const timestamp = Math.floor(options.now().getTime() / 1000);
      let response: Response;
      try {
        response = await fetch(endpoint.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": WEBHOOK_USER_AGENT,
            "webhook-id": webhook.id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": await signWebhook(key, webhook.id, timestamp, webhook.body),
          },
          body: webhook.body,
          // A signed delivery goes only where it was configured to go: a redirect could replay it
          // to a host we never chose (and a 307/308 would carry the body and signature along).
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutSeconds * 1000),
        });
      } catch (error) {
        throw new Error(describeFailure(error, timeoutSeconds));
      }
      // The answer's body means nothing to us: release the connection without reading it.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return;
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        throw new Error(
          `answered ${response.status || "a redirect"}: redirects are not followed, configure the final URL`,
        );
      }
      throw new Error(`answered ${response.status}`);
    },
  };
}
