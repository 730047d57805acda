import * as z from "zod";
import {
  decodeWebhookSecret,
  MIN_WEBHOOK_SECRET_BYTES,
  WEBHOOK_SECRET_PREFIX,
} from "../crypto/webhook-signature.js";
import { AUTH_EVENT_TYPES } from "../events/events.js";
import { isProduction } from "./environment.js";

/*
 * The `webhooks` option (DESIGN §6), documented on `AuthOptions` and `WebhookEndpoint`. Checked
 * at startup: a secret a receiver's Standard Webhooks library can use and that is long enough,
 * a URL fetch can POST to (https in production unless `allowInsecureUrl`), event types that
 * exist, and each URL once (the URL is the key a queued delivery finds its secret by).
 */

const EVENT_CHOICES = [...AUTH_EVENT_TYPES, "*"] as const;

const SECRET_HELP = `must be "${WEBHOOK_SECRET_PREFIX}" followed by the base64 of at least ${MIN_WEBHOOK_SECRET_BYTES} random bytes, e.g. "${WEBHOOK_SECRET_PREFIX}$(openssl rand -base64 32)"`;

const secretSchema = z.string().check((ctx) => {
  const key = decodeWebhookSecret(ctx.value);
  // Never echoes the value: it is a secret.
  const message =
    key === null
      ? SECRET_HELP
      : key.length < MIN_WEBHOOK_SECRET_BYTES
        ? `${SECRET_HELP} (got ${key.length} bytes)`
        : null;
  if (message !== null) ctx.issues.push({ code: "custom", input: "[secret]", message });
});

const eventSchema = z.enum(EVENT_CHOICES, {
  error: (issue) =>
    `"${String(issue.input)}" is not an event type: use one of ${AUTH_EVENT_TYPES.join(", ")}, or "*" for every event`,
});

/** What is wrong with an endpoint's URL, or null. */
function urlProblem(url: string, allowInsecureUrl: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute http(s) URL, e.g. https://hooks.example.com/portcullis";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return "must be an absolute http(s) URL, e.g. https://hooks.example.com/portcullis";
  }
  if (parsed.username !== "" || parsed.password !== "") {
    // fetch refuses such URLs, so every delivery would fail; the signature authenticates us.
    return "must not carry a user name or password: the receiver authenticates deliveries by their signature";
  }
  if (parsed.protocol === "http:" && isProduction() && !allowInsecureUrl) {
    return "must be https in production (events carry addresses and account ids): use an https URL, or set allowInsecureUrl: true for a receiver on a private network";
  }
  return null;
}

const endpointSchema = z
  .strictObject({
    url: z.string(),
    secret: secretSchema,
    events: z
      .array(eventSchema)
      .min(1, 'events must list at least one event type, or "*" for every event'),
    timeoutSeconds: z.number().int().min(1).max(60).default(10),
    allowInsecureUrl: z.boolean().default(false),
  })
  .check((ctx) => {
    const message = urlProblem(ctx.value.url, ctx.value.allowInsecureUrl);
    if (message !== null) {
      ctx.issues.push({ code: "custom", input: ctx.value.url, message, path: ["url"] });
    }
  });

/**
 * The key an endpoint is found by: its URL as the WHATWG parser writes it, so a queued delivery
 * still finds its endpoint when the URL is spelt differently after a restart (`HTTPS://Host`).
 */
export function webhookUrlKey(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** One endpoint once checked, with its defaults: what the outbox delivers to. */
export type ResolvedWebhookEndpoint = z.output<typeof endpointSchema>;

export const webhooksSchema = z
  .array(endpointSchema)
  .default([])
  .check((ctx) => {
    const seen = new Map<string, number>();
    ctx.value.forEach((endpoint, index) => {
      const key = webhookUrlKey(endpoint.url);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        return;
      }
      ctx.issues.push({
        code: "custom",
        input: endpoint.url,
        message: `is the URL of webhooks.${first} too: list every event it takes in one endpoint`,
        path: [index, "url"],
      });
    });
  });
