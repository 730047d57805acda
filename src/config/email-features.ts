import type { ConfigIssue } from "../config-error.js";
import { allowedRedirect, type RedirectPolicy } from "../util/redirect-target.js";
import type { ParsedOptions } from "./schema.js";

/** Which email features serve their routes (resolved once, at startup). */
export interface EmailFeatures {
  magicLink: boolean;
  passwordReset: boolean;
  emailChange: boolean;
  emailVerification: boolean;
}

/**
 * An email feature left unset is on when mail can be delivered (`deliverable`: a mailer, or
 * outside production); one set on when mail cannot be delivered is an issue.
 */
export function resolveEmailFeatures(
  options: ParsedOptions,
  deliverable: boolean,
  issues: ConfigIssue[],
): EmailFeatures {
  const feature = (option: string, name: string, explicit: boolean | undefined) => {
    if (explicit && !deliverable) {
      issues.push({ option, message: `${name} needs a mailer in production` });
    }
    return explicit ?? deliverable;
  };
  const verification = options.emailVerification;
  return {
    magicLink: feature("magicLink.enabled", "magicLink.enabled", options.magicLink.enabled),
    passwordReset: feature(
      "passwordReset.enabled",
      "passwordReset.enabled",
      options.passwordReset.enabled,
    ),
    emailChange: feature("emailChange.enabled", "emailChange.enabled", options.emailChange.enabled),
    emailVerification: feature(
      verification.required ? "emailVerification.required" : "emailVerification.sendOnRegister",
      "emailVerification.sendOnRegister/required",
      verification.sendOnRegister || verification.required ? true : undefined,
    ),
  };
}

/** Pages the library sends browsers to must be on baseURL or a trusted origin. */
export function checkPages(
  policy: RedirectPolicy,
  options: ParsedOptions,
  issues: ConfigIssue[],
): void {
  const pages = {
    "emailVerification.redirectTo": options.emailVerification.redirectTo,
    "emailChange.redirectTo": options.emailChange.redirectTo,
    "passwordReset.url": options.passwordReset.url,
    "magicLink.confirmPage": options.magicLink.confirmPage,
  };
  for (const [option, page] of Object.entries(pages)) {
    if (page !== undefined && allowedRedirect(policy, page) === null) {
      issues.push({
        option,
        message: `${option} must be a path or a URL on baseURL or a trusted origin`,
      });
    }
  }
}
