import { ConfigError, isProduction, type ResolvedConfig } from "../config/config.js";
import { consoleMailer } from "../mail/console-mailer.js";
import type { MailMessage, MailType } from "../mail/message.js";
import { renderMail, type TemplateData } from "../mail/templates.js";
import type { Storage } from "../storage/ports.js";
import { allowedRedirect } from "../util/redirect-target.js";
import { createOutbox, type Outbox } from "./outbox.js";
import { payloadCipher } from "./payload-cipher.js";

/** Which email features serve their routes. */
export interface EmailFeatures {
  magicLink: boolean;
  passwordReset: boolean;
  emailChange: boolean;
  emailVerification: boolean;
}

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

function invalid(message: string): ConfigError {
  return new ConfigError(`Invalid Portcullis config: ${message}`);
}

function resolveFeatures(config: ResolvedConfig, deliverable: boolean): EmailFeatures {
  const feature = (name: string, explicit: boolean | undefined) => {
    if (explicit && !deliverable) throw invalid(`${name} needs a mailer in production`);
    return explicit ?? deliverable;
  };
  const verification = config.emailVerification;
  return {
    magicLink: feature("magicLink.enabled", config.magicLink.enabled),
    passwordReset: feature("passwordReset.enabled", config.passwordReset.enabled),
    emailChange: feature("emailChange.enabled", config.emailChange.enabled),
    emailVerification: feature(
      "emailVerification.sendOnRegister/required",
      verification.sendOnRegister || verification.required ? true : undefined,
    ),
  };
}

function checkPages(config: ResolvedConfig) {
  const pages = {
    "emailVerification.redirectTo": config.emailVerification.redirectTo,
    "emailChange.redirectTo": config.emailChange.redirectTo,
    "passwordReset.url": config.passwordReset.url,
    "magicLink.confirmPage": config.magicLink.confirmPage,
  };
  for (const [name, page] of Object.entries(pages)) {
    if (page !== undefined && allowedRedirect(config, page) === null) {
      throw invalid(`${name} must be a path or a URL on baseURL or a trusted origin`);
    }
  }
}

/**
 * Resolves the mailer (the console mailer outside production when none is given), which email
 * features are on, and the outbox every message goes through. Throws `ConfigError`.
 */
export function createMailService(
  config: ResolvedConfig,
  storage: Storage,
  now: () => Date,
): MailService {
  const deliverable = config.mailer !== undefined || !isProduction();
  const features = resolveFeatures(config, deliverable);
  checkPages(config);
  const outbox = createOutbox({
    store: storage.outbox,
    mailer: config.mailer ?? consoleMailer(),
    cipher: payloadCipher(config.secret, config.random),
    options: config.outbox,
    now,
    random: config.random,
  });
  const appName = config.appName ?? new URL(config.baseURL).host;

  async function compose(type: MailType, to: string, data: MailData): Promise<MailMessage> {
    if (!SINGLE_ADDRESS.test(to)) throw new Error("refusing to mail a malformed address");
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
