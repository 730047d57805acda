import type { ResolvedConfig } from "../../config/config.js";
import { authorizationServerMetadata, wellKnownPaths } from "../../tokens/metadata.js";
import { json } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

const OAUTH_AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server";
const OPENID_CONFIGURATION = "/.well-known/openid-configuration";

/**
 * The route below basePath that answers a discovery URI at the site root (RFC 8414 §3.1, OpenID
 * Connect Discovery §4: where clients look, derived from the issuer), or null for any other path.
 * Requests reach the handler there only when the app routes them to it (README: "Discovery").
 */
export function siteRootDiscovery(pathname: string, config: ResolvedConfig): string | null {
  const paths = wellKnownPaths(config);
  if (pathname === paths.oauthAuthorizationServer) return OAUTH_AUTHORIZATION_SERVER;
  if (pathname === paths.openidConfiguration) return OPENID_CONFIGURATION;
  return null;
}

function metadataRoute(path: string): Route {
  return defineRoute({
    method: "GET",
    path,
    async handle({ ctx }) {
      // Public and the same for everyone; it changes only with the configuration.
      return json(200, authorizationServerMetadata(ctx.config), {
        "Cache-Control": "public, max-age=300",
      });
    },
  });
}

/**
 * Authorization server metadata (RFC 8414), so that a client or a verifier configured with only
 * the issuer finds the token endpoint and `jwks_uri`. Served below basePath, and at the site-root
 * URIs clients derive from the issuer when the app routes those to the handler.
 */
export const discoveryRoutes: Route[] = [
  metadataRoute(OAUTH_AUTHORIZATION_SERVER),
  metadataRoute(OPENID_CONFIGURATION),
];
