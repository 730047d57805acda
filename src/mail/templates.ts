import { html, oneLine } from "./escape.js";
import type { MailType } from "./message.js";

/** What a template gets. Values are raw: the default templates escape them, and so must yours. */
export interface TemplateData {
  appName: string;
  /** The recipient: the address stored for the account. */
  email: string;
  /** The link to follow, for messages that carry one. */
  url?: string;
  /** The one-time code, for "login-code". */
  code?: string;
  /** How long the link or code stays valid. */
  expiresInMinutes?: number;
  /**
   * For "email-change", "email-change-requested" and "email-change-notice": the address the
   * account moves to. The last two go to the old address, and their `url` stops the change.
   */
  newEmail?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Renders one message type; use `html` from this module (or `escapeHtml`) for the HTML part. */
export type MailTemplate = (data: TemplateData) => RenderedMail | Promise<RenderedMail>;

/** Overrides per message type; the others keep the defaults. */
export type MailTemplates = Partial<Record<MailType, MailTemplate>>;

function validity(minutes: number | undefined): string {
  if (minutes === undefined) return "";
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? "" : "s"}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? "" : "s"}`;
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** A message with one call to action: the same shape for every link message. */
function linkMessage(
  data: TemplateData,
  subject: string,
  intro: string,
  action: string,
  ignore: string,
): RenderedMail {
  const url = data.url ?? "";
  const expires = validity(data.expiresInMinutes);
  const expiry = expires ? `This link expires in ${expires} and works once.` : "";
  return {
    subject,
    text: [intro, "", `${action}: ${url}`, "", expiry, ignore, "", `— ${data.appName}`].join("\n"),
    html: [
      html`<p>${intro}</p>`,
      html`<p><a href="${url}">${action}</a></p>`,
      html`<p>Or paste this link into your browser:<br>${url}</p>`,
      expiry ? html`<p>${expiry}</p>` : "",
      html`<p>${ignore}</p>`,
      html`<p>— ${data.appName}</p>`,
    ].join("\n"),
  };
}

export const defaultTemplates: Record<MailType, MailTemplate> = {
  "magic-link": (data) =>
    linkMessage(
      data,
      `Sign in to ${data.appName}`,
      `Someone asked to sign in to ${data.appName} as ${data.email}.`,
      "Sign in",
      "If it was not you, ignore this message: nobody can sign in without the link.",
    ),
  "login-code": (data) => {
    const code = data.code ?? "";
    const expires = validity(data.expiresInMinutes);
    const intro = `Your ${data.appName} sign-in code is:`;
    const footer = `It expires in ${expires}. If you did not ask for it, ignore this message.`;
    return {
      subject: `${code} is your ${data.appName} sign-in code`,
      text: [intro, "", code, "", footer, "", `— ${data.appName}`].join("\n"),
      html: [
        html`<p>${intro}</p>`,
        html`<p style="font-size:24px;letter-spacing:4px"><strong>${code}</strong></p>`,
        html`<p>${footer}</p>`,
        html`<p>— ${data.appName}</p>`,
      ].join("\n"),
    };
  },
  "email-verification": (data) =>
    linkMessage(
      data,
      `Confirm your email for ${data.appName}`,
      `Please confirm that ${data.email} is your address for ${data.appName}.`,
      "Confirm my email",
      "If you did not create an account, ignore this message.",
    ),
  "password-reset": (data) =>
    linkMessage(
      data,
      `Reset your ${data.appName} password`,
      `Someone asked to reset the password of the ${data.appName} account ${data.email}.`,
      "Choose a new password",
      "If it was not you, ignore this message: your password stays as it is.",
    ),
  "email-change": (data) =>
    linkMessage(
      data,
      `Confirm your new email for ${data.appName}`,
      `Someone asked to move a ${data.appName} account to ${data.newEmail ?? data.email}.`,
      "Confirm the new address",
      "If it was not you, ignore this message: the account stays where it is.",
    ),
  "email-change-requested": (data) =>
    linkMessage(
      data,
      `Your ${data.appName} email address is about to change`,
      `Someone signed in to your ${data.appName} account asked to move it from ${data.email} to ${data.newEmail ?? ""}.`,
      "Stop this change and sign out everywhere",
      "If it was you, ignore this message. If not, stop the change, then reset your password.",
    ),
  "email-change-notice": (data) =>
    linkMessage(
      data,
      `Your ${data.appName} email address was changed`,
      `The email address of your ${data.appName} account was changed from ${data.email} to ${data.newEmail ?? ""}.`,
      "Undo this change and lock the account",
      "If it was you, ignore this message. If not, undo it: the account moves back to this address, every session ends, and you choose a new password with a reset.",
    ),
};

/** Renders with the override for `type` when there is one; the subject is kept to one line. */
export async function renderMail(
  type: MailType,
  data: TemplateData,
  overrides: MailTemplates = {},
): Promise<RenderedMail> {
  const template = overrides[type] ?? defaultTemplates[type];
  const rendered = await template(data);
  return { ...rendered, subject: oneLine(rendered.subject) };
}
