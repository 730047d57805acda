import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { smtpMailer } from "../../adapters/smtp/index.js";
import type { Mailer, MailMessage } from "../../src/index.js";

/** A mailer that keeps what it is given; `failNext` makes the next sends throw. */
export function captureMailer() {
  const sent: MailMessage[] = [];
  let failures = 0;
  const mailer: Mailer & { sent: MailMessage[]; failNext(count: number): void } = {
    sent,
    failNext(count) {
      failures = count;
    },
    async send(message) {
      if (failures > 0) {
        failures--;
        throw new Error("451 mail server unavailable");
      }
      sent.push(message);
    },
  };
  return mailer;
}

export interface SmtpFixture {
  port: number;
  received: ParsedMail[];
  /** Refuse the next `count` messages with a temporary failure (451). */
  refuseNext(count: number): void;
  mailer: ReturnType<typeof smtpMailer>;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (ephemeral port) that parses what it accepts. */
export async function startSmtpServer(): Promise<SmtpFixture> {
  const received: ParsedMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      if (refusals > 0) {
        refusals--;
        stream.resume();
        stream.on("end", () => {
          const error = Object.assign(new Error("Try again later"), { responseCode: 451 });
          callback(error);
        });
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          received.push(parsed);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  const mailer = smtpMailer({
    from: "Portcullis Test <no-reply@app.test>",
    smtp: { host: "127.0.0.1", port, secure: false, ignoreTLS: true },
  });
  return {
    port,
    received,
    refuseNext(count) {
      refusals = count;
    },
    mailer,
    async close() {
      await mailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first link in a text that points below `/auth` or to the reset page. */
export function linkIn(text: string | undefined): URL {
  const match = text?.match(/https?:\/\/\S+/);
  if (!match) throw new Error(`no link in: ${text}`);
  return new URL(match[0]);
}

/** Path and query of a URL, for `call()`. */
export const pathOf = (url: URL) => `${url.pathname}${url.search}`;
