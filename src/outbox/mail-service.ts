import type { EmailFeatures, ResolvedConfig } from "../config/config.js";
import { AuthError } from "../errors.js";
import { consoleMailer } from "../mail/console-mailer.js";
import type { MailMessage, MailType } from "../mail/message.js";
import { renderMail, type TemplateData } from "../mail/templates.js";
import type { Storage } from "../storage/ports.js";
import { logError } from "../util/logger.js";
import { createOutbox, type Outbox, type OutboxDependencies } from "./outbox.js";
import { payloadCipher } from "./payload-cipher.js";

type MailData = Omit<TemplateData, "appName" | "email">;

/** How flows send mail: render the template for a type, queue it to one address. */
export interface MailService {
  outbox: Outbox;
  appName: string;
  features: EmailFeatures;
  send(type: MailType, to: string, data: MailData): Promise<void>;
  /** Does the work of `send` (render, seal, one outbox write) without queueing anything. */
  rehearse(type: MailType, to: string, data: MailData): Promise<void>;
}

// One address and nothing a mail library could read as a second one or as a header.
const SINGLE_ADDRESS = /^[^\s,;<>()"\\:]+@[^\s,;<>()"\\:@]+$/;

/**
 * Builds the outbox every message goes through, with the mailer (the console mailer when none
 * is given: `resolveConfig` has already turned the email features off in production then).
 * Which features are on, and whether their pages are allowed, was settled by `resolveConfig`.
 */
export function createMailService(
  config: ResolvedConfig,
  storage: Storage,
  now: () => Date,
  onDeadLetter?: OutboxDependencies["onDeadLetter"],
  onAttempt?: OutboxDependencies["onAttempt"],
): MailService {
  const features = config.emailFeatures;
  const outbox = createOutbox({
    store: storage.outbox,
    mailer: config.mailer ?? consoleMailer(),
    cipher: payloadCipher(config.secret, config.random),
    options: config.outbox,
    now,
    random: config.random,
    log: (message, error) =>
      error === undefined ? config.logger.error(message) : logError(config.logger, message, error),
    onDeadLetter,
    onAttempt,
  });
  const appName = config.appName ?? new URL(config.baseURL).host;

  async function compose(type: MailType, to: string, data: MailData): Promise<MailMessage> {
    if (!SINGLE_ADDRESS.test(to))
      throw new AuthError("invalid_request", "Refusing to mail a malformed address");
    const rendered = await renderMail(type, { ...data, appName, email: to }, config.emailTemplates);
    return {
      type,
      to,
      ...rendered,
      ...(data.url ? { url: data.url } : {}),
      ...(data.code ? { code: data.code } : {}),
      ...(data.expiresInMinutes !== undefined
        ? { expiresAt: new Date(now().getTime() + data.expiresInMinutes * 60_000).toISOString() }
        : {}),
    };
  }

  return {
    outbox,
    appName,
    features,
    async send(type, to, data) {
      await outbox.send(await compose(type, to, data));
    },
    async rehearse(type, to, data) {
      await outbox.rehearse(await compose(type, to, data));
    },
  };
}
