import type { EmailFeatures, ResolvedConfig } from "../config/config.js";
import { AuthError } from "../errors.js";
import type { MailMessage, MailType } from "../mail/message.js";
import { renderMail, type TemplateData } from "../mail/templates.js";
import type { Outbox } from "./outbox.js";

type MailData = Omit<TemplateData, "appName" | "email">;

/** How flows send mail: render the template for a type, queue it to one address. */
export interface MailService {
  appName: string;
  features: EmailFeatures;
  send(type: MailType, to: string, data: MailData): Promise<void>;
  /** Does the work of `send` (render, seal, one outbox write) without queueing anything. */
  rehearse(type: MailType, to: string, data: MailData): Promise<void>;
}

// One address and nothing a mail library could read as a second one or as a header.
const SINGLE_ADDRESS = /^[^\s,;<>()"\\:]+@[^\s,;<>()"\\:@]+$/;

/**
 * Mail over the instance's outbox (`createAuthOutbox`, which holds the mailer). Which features
 * are on, and whether their pages are allowed, was settled by `resolveConfig`.
 */
export function createMailService(
  config: ResolvedConfig,
  outbox: Outbox,
  now: () => Date,
): MailService {
  const features = config.emailFeatures;
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
    appName,
    features,
    async send(type, to, data) {
      await outbox.send({ kind: "mail", message: await compose(type, to, data) });
    },
    async rehearse(type, to, data) {
      await outbox.rehearse({ kind: "mail", message: await compose(type, to, data) });
    },
  };
}
