import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import type { LinkedAccountStore } from "../storage/ports.js";

/** Whether social sign-in is configured: without `oauth` its routes answer 404. */
export function oauthEnabled(ctx: AuthContext): boolean {
  return ctx.config.oauth !== undefined;
}

/** The `oauth` options, or `not_found` when social sign-in is not configured. */
export function oauthOptions(ctx: AuthContext) {
  const options = ctx.config.oauth;
  if (!options) throw new AuthError("not_found", "Social sign-in is not enabled");
  return options;
}

/** The configured provider with this id, or `not_found`. */
export function findProvider(ctx: AuthContext, id: string): OAuthProvider {
  const provider = oauthOptions(ctx).providers.find((candidate) => candidate.id === id);
  if (!provider) throw new AuthError("not_found", "No such sign-in provider");
  return provider;
}

/** The accounts port; startup made sure it exists whenever `oauth` is configured. */
export function linkedAccounts(ctx: AuthContext): LinkedAccountStore {
  const accounts = ctx.storage.accounts;
  if (!accounts) throw new AuthError("internal", "The storage has no accounts port");
  return accounts;
}

/** The exact redirect URI of a provider, registered with it: `<origin><basePath>/oauth/<id>/callback`. */
export function redirectURI(ctx: AuthContext, provider: OAuthProvider): string {
  return new URL(`${ctx.config.basePath}/oauth/${provider.id}/callback`, ctx.config.origin).href;
}
