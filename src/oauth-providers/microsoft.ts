import { ConfigError } from "../config-error.js";
import { requiredString, withScopes } from "./checks.js";
import { isAsserted, oidcProfile } from "./claims.js";
import type { OAuthClientOptions } from "./oidc.js";
import type { OAuthProfile, OAuthProfileSource, OAuthProvider, OidcServer } from "./provider.js";

export interface MicrosoftOptions extends OAuthClientOptions {
  /**
   * Who may sign in: `"common"` (work, school and personal accounts), `"organizations"` (work
   * and school), `"consumers"` (personal), or one tenant's id (a GUID, from the Entra admin
   * center).
   * @default "common"
   */
  tenant?: string;
}

const AUTHORITY = "https://login.microsoftonline.com";
/** The issuer the multi-tenant endpoints name: every tenant signs with its own issuer. */
export const MICROSOFT_ISSUER_TEMPLATE = `${AUTHORITY}/{tenantid}/v2.0`;
/** The tenant of personal Microsoft accounts. */
const CONSUMERS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The multi-tenant issuer rule: a token from `/common` or `/organizations` must carry the issuer
 * of the tenant it names, `https://login.microsoftonline.com/<tid>/v2.0`. Null when `tid` is not
 * a tenant id, which refuses the token. (The library then checks the token's signature and that
 * its `iss` is exactly this.)
 */
export function microsoftTenantIssuer(claims: Readonly<Record<string, unknown>>): string | null {
  const tid = claims.tid;
  return typeof tid === "string" && TENANT_ID.test(tid)
    ? MICROSOFT_ISSUER_TEMPLATE.replace("{tenantid}", tid)
    : null;
}

function server(tenant: string): OidcServer {
  const issuer = `${AUTHORITY}/${tenant}/v2.0`;
  if (tenant === "common" || tenant === "organizations") {
    return {
      kind: "oidc",
      issuer,
      discoveryIssuer: MICROSOFT_ISSUER_TEMPLATE,
      idTokenIssuer: microsoftTenantIssuer,
    };
  }
  if (tenant === "consumers") {
    return { kind: "oidc", issuer, discoveryIssuer: `${AUTHORITY}/${CONSUMERS_TENANT}/v2.0` };
  }
  if (TENANT_ID.test(tenant))
    return { kind: "oidc", issuer: `${AUTHORITY}/${tenant.toLowerCase()}/v2.0` };
  throw new ConfigError({
    option: "oauth.providers",
    message: `microsoft(): tenant must be "common", "organizations", "consumers" or a tenant id (a GUID), got ${JSON.stringify(tenant)}`,
  });
}

/**
 * Entra's `email` claim is whatever an administrator of the user's tenant typed in: Microsoft
 * does not verify it (the "nOAuth" takeovers). It counts as verified only with the optional
 * claim `xms_edov` (the domain's owner verified it) set true; otherwise the address is used but
 * never links an existing account by itself.
 */
async function microsoftProfile(source: OAuthProfileSource): Promise<OAuthProfile> {
  const profile = await oidcProfile(source);
  const verified = profile.email !== null && isAsserted(source.idToken?.xms_edov);
  return { ...profile, emailVerified: verified };
}

/**
 * Sign in with Microsoft (Entra ID, OpenID Connect v2.0). Register a web redirect URI
 * `<baseURL><basePath>/oauth/microsoft/callback` in the app registration. Multi-tenant
 * (`common`, `organizations`) tokens are checked against the issuer of the tenant they name.
 */
export function microsoft(options: MicrosoftOptions): OAuthProvider {
  return {
    id: "microsoft",
    name: "Microsoft",
    server: server(options.tenant ?? "common"),
    clientId: requiredString("microsoft", "clientId", options.clientId),
    clientSecret: requiredString("microsoft", "clientSecret", options.clientSecret),
    clientAuthentication: "client_secret_post",
    scopes: withScopes(options.scopes, ["openid", "email", "profile"], ["openid"]),
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    profile: microsoftProfile,
  };
}
