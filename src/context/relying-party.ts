import { ConfigError, parseOrigin, type ResolvedConfig } from "../config/config.js";

/** Who the passkeys belong to, with every default resolved from the config. */
export interface RelyingParty {
  id: string;
  name: string;
  /** Origins a ceremony may come from, exactly as the browser reports them in clientDataJSON. */
  origins: string[];
  userVerification: "preferred" | "required";
  algorithms: number[];
  signUp: boolean;
}

const resolved = new WeakMap<ResolvedConfig, RelyingParty>();

function isSameOrSubdomain(host: string, rpID: string): boolean {
  return host === rpID || host.endsWith(`.${rpID}`);
}

/**
 * Resolves `config.passkey`. Throws `ConfigError` when an origin's host is not the rpID or one of
 * its subdomains: browsers would refuse every ceremony, so it is better to fail at startup.
 */
export function relyingParty(config: ResolvedConfig): RelyingParty {
  const cached = resolved.get(config);
  if (cached) return cached;
  const options = config.passkey;
  const id = (options.rpID ?? new URL(config.origin).hostname).toLowerCase();
  const origins = (options.origins ?? [config.origin]).map((o) => parseOrigin(o) as string);
  for (const origin of origins) {
    if (!isSameOrSubdomain(new URL(origin).hostname, id)) {
      throw new ConfigError(
        `Invalid Portcullis config: passkey origin ${origin} is not on passkey.rpID "${id}" or a subdomain of it`,
      );
    }
  }
  const party: RelyingParty = {
    id,
    name: options.rpName ?? config.appName ?? id,
    origins,
    userVerification: options.userVerification,
    algorithms: options.algorithms,
    signUp: options.signUp,
  };
  resolved.set(config, party);
  return party;
}
