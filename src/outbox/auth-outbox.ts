import type { ResolvedConfig } from "../config/config.js";
import type { EventBus } from "../events/bus.js";
import { consoleMailer } from "../mail/console-mailer.js";
import type { AuthMetrics } from "../metrics/auth-metrics.js";
import { logError } from "../util/logger.js";
import type { Delivery } from "./delivery.js";
import { mailCarrier } from "./mail-carrier.js";
import { createOutbox, type Outbox } from "./outbox.js";
import { payloadCipher } from "./payload-cipher.js";
import { webhookCarrier, webhookOrigin } from "./webhook-sender.js";

export interface AuthOutboxDependencies {
  now(): Date;
  /** Where a dead-lettered message becomes `mail.dead_lettered`. */
  events: EventBus;
  metrics: AuthMetrics;
}

/**
 * The one outbox of an instance, for mail and webhooks alike: built whether or not a mailer or
 * any webhook is configured, so `flushOutbox` always drains what an earlier run queued. Mail
 * goes to the mailer (the console mailer when none is given: `resolveConfig` has already turned
 * the email features off in production then); webhooks to the endpoints configured now.
 */
export function createAuthOutbox(config: ResolvedConfig, deps: AuthOutboxDependencies): Outbox {
  const { now, events, metrics } = deps;
  const { logger } = config;

  async function deadLettered(dead: {
    id: string;
    delivery: Delivery | null;
    attempts: number;
    error: string;
  }) {
    const { delivery } = dead;
    if (delivery?.kind === "webhook") {
      // No event for webhooks (`mail.dead_lettered` is mail's): a warning and the metric.
      metrics.webhook("dead");
      logger.warn(
        {
          outboxId: dead.id,
          webhookId: delivery.webhook.id,
          eventType: delivery.webhook.eventType,
          endpoint: webhookOrigin(delivery.webhook.url),
          attempts: dead.attempts,
          error: dead.error,
        },
        `webhook ${delivery.webhook.id} to ${webhookOrigin(delivery.webhook.url)} dead-lettered after ${dead.attempts} attempts: ${dead.error}`,
      );
      return;
    }
    // Mail, or a record that cannot be read: reported as mail (`mailType` "unknown"), as before
    // webhooks existed, so an operator who watches `mail.dead_lettered` still hears of it.
    const what = delivery === null ? "outbox record" : "mail";
    logger.error(`${what} ${dead.id} dead-lettered after ${dead.attempts} attempts: ${dead.error}`);
    await events.emit(
      "mail.dead_lettered",
      {},
      {
        messageId: dead.id,
        mailType: delivery?.message.type ?? "unknown",
        attempts: dead.attempts,
        error: dead.error,
      },
    );
  }

  return createOutbox({
    store: config.storage.outbox,
    carriers: {
      mail: mailCarrier(config.mailer ?? consoleMailer(), now),
      webhook: webhookCarrier({
        endpoints: config.webhooks,
        now,
        leaseSeconds: config.outbox.leaseSeconds,
      }),
    },
    cipher: payloadCipher(config.secret, config.random),
    options: config.outbox,
    now,
    random: config.random,
    log: (message, error) =>
      error === undefined ? logger.error(message) : logError(logger, message, error),
    onDeadLetter: deadLettered,
    onAttempt: (kind, outcome) =>
      kind === "webhook" ? metrics.webhook(outcome) : metrics.mail(outcome),
  });
}
