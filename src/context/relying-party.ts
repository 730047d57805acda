import type { ResolvedConfig } from "../config/config.js";

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

/**
 * The relying party of `config.passkey`, built once into the context. `resolveConfig` has
 * resolved its defaults and checked that every origin is on the rpID (a `ConfigError` at
 * startup otherwise), so this never throws.
 */
export function relyingParty(config: ResolvedConfig): RelyingParty {
  const options = config.passkey;
  return {
    id: options.rpID,
    name: options.rpName,
    origins: options.origins,
    userVerification: options.userVerification,
    algorithms: options.algorithms,
    signUp: options.signUp,
  };
}
