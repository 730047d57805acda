import type { Mailer, MailMessage } from "./message.js";

export interface ConsoleMailerOptions {
  /** Where lines go; `console.log` by default. */
  log?: (line: string) => void;
}

/**
 * For development: prints each message's recipient, subject and link (or code) where a
 * developer sees them, instead of sending anything. Never use it in production: it writes
 * bearer secrets to the log.
 */
export function consoleMailer(options: ConsoleMailerOptions = {}): Mailer {
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    async send(message: MailMessage) {
      const lines = [
        `[portcullis] ${message.type} mail to ${message.to}`,
        `  Subject: ${message.subject}`,
      ];
      if (message.url) lines.push(`  Link:    ${message.url}`);
      if (message.code) lines.push(`  Code:    ${message.code}`);
      if (!message.url && !message.code)
        lines.push(...message.text.split("\n").map((l) => `  ${l}`));
      log(lines.join("\n"));
    },
  };
}
