import type { SendMailOptions, Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { Mailer, MailMessage } from "../../src/mail/message.js";

/**
 * `portcullis/smtp`: a `Mailer` over nodemailer. nodemailer is an optional peer: it is loaded
 * only when this mailer builds its own transport, so apps that never send SMTP need not install
 * it.
 *
 *   smtpMailer({ from: "App <no-reply@app.example>", smtp: "smtps://user:pass@smtp.example" })
 *   smtpMailer({ from: "...", smtp: { host, port, secure, auth: { user, pass } } })
 *   smtpMailer({ from: "...", transport: nodemailer.createTransport(...) })
 *   smtpMailer(transport)  // a transport whose `defaults` carry `from`
 */
export interface SmtpMailerOptions {
  /** The sender, e.g. `"Acme <no-reply@acme.example>"`. */
  from?: string | { name: string; address: string };
  /** Connection options or an `smtp(s)://` URL for `nodemailer.createTransport`. */
  smtp?: SMTPTransport.Options | string;
  /** An existing nodemailer transport (pooled, SES, a test transport...). Wins over `smtp`. */
  transport?: Pick<Transporter, "sendMail">;
  replyTo?: string;
}

export interface SmtpMailer extends Mailer {
  /** Closes the transport's connections (pooled transports keep some open). */
  close(): Promise<void>;
}

type SendMail = Pick<Transporter, "sendMail"> & { close?: () => void };

function isTransport(value: unknown): value is SendMail {
  return typeof (value as { sendMail?: unknown } | null)?.sendMail === "function";
}

async function createTransport(smtp: SMTPTransport.Options | string): Promise<SendMail> {
  const nodemailer = await import("nodemailer").catch((cause) => {
    throw new Error("smtpMailer needs nodemailer: npm install nodemailer", { cause });
  });
  const create = nodemailer.createTransport ?? nodemailer.default?.createTransport;
  return create(smtp as SMTPTransport.Options);
}

export function smtpMailer(options: SmtpMailerOptions | Pick<Transporter, "sendMail">): SmtpMailer {
  const settings: SmtpMailerOptions = isTransport(options)
    ? { transport: options }
    : (options as SmtpMailerOptions);
  if (!settings.transport && settings.smtp === undefined) {
    throw new Error("smtpMailer needs `smtp` (options or URL) or a `transport`");
  }
  let transport: Promise<SendMail> | undefined = settings.transport
    ? Promise.resolve(settings.transport as SendMail)
    : undefined;
  const getTransport = () => {
    transport ??= createTransport(settings.smtp as SMTPTransport.Options | string);
    return transport;
  };

  return {
    async send(message: MailMessage) {
      const mail: SendMailOptions = {
        // An address object, never a string: nodemailer would read "a@x, b@y" as two recipients.
        to: { name: "", address: message.to },
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The content is ours; nothing in it may make nodemailer fetch a URL or read a file.
        disableFileAccess: true,
        disableUrlAccess: true,
        headers: { "X-Portcullis-Type": message.type },
      };
      if (settings.from !== undefined) mail.from = settings.from;
      if (settings.replyTo !== undefined) mail.replyTo = settings.replyTo;
      const info = await (await getTransport()).sendMail(mail);
      const rejected = (info as { rejected?: unknown[] }).rejected ?? [];
      if (rejected.length > 0) throw new Error(`SMTP server rejected ${message.to}`);
    },
    async close() {
      if (transport) (await transport).close?.();
    },
  };
}
