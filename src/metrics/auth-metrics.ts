import type { EventBus } from "../events/bus.js";
import type { SignInMethod } from "../events/events.js";
import { createRegistry } from "./registry.js";

/*
 * The library's own metrics (DESIGN §6), one set per instance. The names are fixed by the design:
 * dashboards and alerts depend on them. Counts come from the events (sign-ins, sign-ups,
 * lockouts, dead mail), the outbox (each delivery attempt, dead webhooks) and the handler (every
 * request and every 429); the outbox backlog is read from storage at scrape time.
 */

/** Upper bounds of the request-duration histogram, in seconds (Prometheus' usual ones). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `route` label of a request that matched no route (404, 405, a CORS preflight). */
export const UNMATCHED_ROUTE = "unmatched";

/** What became of a message: one attempt `sent` or `failed`; `dead` once it is given up on. */
export type MailOutcome = "sent" | "failed" | "dead";

/** What became of a webhook delivery: as for mail, one attempt or its end. */
export type WebhookOutcome = MailOutcome;

export interface AuthMetrics {
  signIn(method: SignInMethod, outcome: "success" | "failure"): void;
  signUp(method: string): void;
  lockout(): void;
  mail(outcome: MailOutcome): void;
  webhook(outcome: WebhookOutcome): void;
  /** A 429 the handler answered, by the route pattern it matched (`/login`), never the path. */
  rateLimited(route: string): void;
  /** One answered request: the matched route pattern (or `unmatched`), its status, seconds. */
  observeRequest(route: string, status: number, seconds: number): void;
  /** Every metric in the Prometheus text exposition format 0.0.4. */
  expose(): Promise<string>;
}

export interface AuthMetricsOptions {
  /**
   * The outbox backlog (messages queued and not dead) at scrape time, or null when the storage
   * cannot count it; then `portcullis_outbox_backlog` has no sample.
   */
  backlog(): Promise<number | null>;
  /** Told when the backlog cannot be read; the scrape goes on without that sample. */
  onError(message: string, error: unknown): void;
  /**
   * Whether webhook endpoints are configured: their outcomes are then exposed at 0 from the
   * start; an instance without webhooks shows the counter without samples.
   */
  webhooks?: boolean;
}

export function createAuthMetrics(options: AuthMetricsOptions): AuthMetrics {
  const registry = createRegistry();
  const signIns = registry.counter(
    "portcullis_sign_ins_total",
    "Sign-ins by method and outcome (success or failure).",
    ["method", "outcome"],
  );
  const signUps = registry.counter("portcullis_sign_ups_total", "Accounts created, by method.", [
    "method",
  ]);
  const lockouts = registry.counter(
    "portcullis_lockouts_total",
    "Failed sign-ins that locked an account's password sign-in.",
  );
  const rateLimited = registry.counter(
    "portcullis_rate_limited_total",
    "Requests answered 429 (rate limited or locked out), by route pattern.",
    ["route"],
  );
  const mail = registry.counter(
    "portcullis_mail_total",
    "Mail delivery attempts that were sent or failed, and messages dead-lettered.",
    ["outcome"],
  );
  const webhooks = registry.counter(
    "portcullis_webhook_deliveries_total",
    "Webhook delivery attempts that were sent or failed, and deliveries dead-lettered.",
    ["outcome"],
  );
  const durations = registry.histogram(
    "portcullis_http_request_duration_seconds",
    "Time the auth handler took to answer, by route pattern and status.",
    ["route", "status"],
    DURATION_BUCKETS,
  );
  registry.gauge(
    "portcullis_outbox_backlog",
    "Messages in the outbox that are queued and not dead-lettered.",
    async () => {
      try {
        return await options.backlog();
      } catch (error) {
        options.onError("cannot count the outbox backlog for metrics", error);
        return null;
      }
    },
  );
  // Exposed at 0 from the start, so rate() and alerts work before the first event.
  lockouts.inc({}, 0);
  for (const outcome of ["sent", "failed", "dead"] as const) {
    mail.inc({ outcome }, 0);
    if (options.webhooks) webhooks.inc({ outcome }, 0);
  }

  return {
    signIn: (method, outcome) => signIns.inc({ method, outcome }),
    signUp: (method) => signUps.inc({ method }),
    lockout: () => lockouts.inc({}),
    mail: (outcome) => mail.inc({ outcome }),
    webhook: (outcome) => webhooks.inc({ outcome }),
    rateLimited: (route) => rateLimited.inc({ route }),
    observeRequest: (route, status, seconds) =>
      durations.observe({ route, status: String(status) }, seconds),
    expose: () => registry.expose(),
  };
}

/** Counts the events metrics are made of; `countEvents(ctx.events, metrics)` once per instance. */
export function countEvents(events: EventBus, metrics: AuthMetrics): void {
  events.on("user.signed_in", (event) => metrics.signIn(event.method, "success"));
  events.on("user.sign_in_failed", (event) => metrics.signIn(event.method, "failure"));
  events.on("user.registered", (event) => metrics.signUp(event.method));
  events.on("user.locked_out", () => metrics.lockout());
  events.on("mail.dead_lettered", () => metrics.mail("dead"));
}
