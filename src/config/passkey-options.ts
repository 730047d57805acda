import type { ConfigIssue } from "../config-error.js";
import { parseOrigin } from "./origin.js";
import type { ParsedOptions } from "./schema.js";

/** `passkey` with the relying party resolved: no default left to fill in at a ceremony. */
export interface ResolvedPasskeyOptions
  extends Omit<ParsedOptions["passkey"], "rpID" | "rpName" | "origins"> {
  /** The relying-party ID, lower-cased: `passkey.rpID`, else baseURL's hostname. */
  rpID: string;
  /** What authenticators show: `passkey.rpName`, else `appName`, else the rpID. */
  rpName: string;
  /** Origins a ceremony may come from, exactly as browsers report them in clientDataJSON. */
  origins: string[];
}

function isSameOrSubdomain(host: string, rpID: string): boolean {
  return host === rpID || host.endsWith(`.${rpID}`);
}

/**
 * Resolves the relying party. An origin whose host is not the rpID or one of its subdomains is
 * an issue: browsers would refuse every ceremony, so it is better to fail at startup.
 */
export function resolvePasskeyOptions(
  options: ParsedOptions,
  origin: string,
  issues: ConfigIssue[],
): ResolvedPasskeyOptions {
  const passkey = options.passkey;
  const rpID = (passkey.rpID ?? new URL(origin).hostname).toLowerCase();
  const origins = (passkey.origins ?? [origin]).map((o) => parseOrigin(o) as string);
  for (const [index, candidate] of origins.entries()) {
    if (!isSameOrSubdomain(new URL(candidate).hostname, rpID)) {
      issues.push({
        option: passkey.origins ? `passkey.origins.${index}` : "passkey.rpID",
        message: `passkey origin ${candidate} is not on passkey.rpID "${rpID}" or a subdomain of it`,
      });
    }
  }
  return {
    ...passkey,
    rpID,
    rpName: passkey.rpName ?? options.appName ?? rpID,
    origins,
  };
}
