import type * as oauth from "oauth4webapi";
import type { AuthContext } from "../context/context.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import { unreachable } from "./errors.js";
import { loadOAuth, type OAuthLibrary } from "./library.js";

/*
 * The provider's authorization server as oauth4webapi needs it: its metadata (discovered for
 * OIDC, given for plain OAuth 2.0), the client, and the options of every request to it.
 *
 * Discovery is cached per provider object, in a WeakMap: the provider objects belong to one
 * `createAuth` configuration, so the cache lives and dies with it (no state of an instance in
 * the module's own hands), and oauth4webapi's own cache of the provider's keys, kept per
 * metadata object, is reused for as long as the metadata is.
 */

/** How long discovered metadata is reused before it is fetched again. */
const METADATA_SECONDS = 60 * 60;
/** How long any request to the provider may take. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface ProviderServer {
  /** oauth4webapi, loaded. */
  lib: OAuthLibrary;
  provider: OAuthProvider;
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** Options of every request to the provider: the timeout, and http for development only. */
  http: oauth.HttpRequestOptions<"GET" | "POST", unknown> & oauth.JWKSCacheOptions;
}

const discovered = new WeakMap<
  OAuthProvider,
  { fetchedAt: number; metadata: Promise<oauth.AuthorizationServer> }
>();

function requestOptions(lib: OAuthLibrary, provider: OAuthProvider): ProviderServer["http"] {
  return {
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    // Config refuses the flag in production and checked that every URL is https without it.
    [lib.allowInsecureRequests]: provider.allowInsecureIssuerForDevelopment === true,
  };
}

async function discover(
  lib: OAuthLibrary,
  provider: OAuthProvider,
): Promise<oauth.AuthorizationServer> {
  const { server } = provider;
  if (server.kind === "oauth2") {
    return {
      issuer: server.issuer,
      authorization_endpoint: server.authorizationEndpoint,
      token_endpoint: server.tokenEndpoint,
    };
  }
  try {
    const response = await lib.discoveryRequest(new URL(server.issuer), {
      algorithm: "oidc",
      ...requestOptions(lib, provider),
    });
    // The document must name the issuer we asked (or the one the provider says it names).
    return await lib.processDiscoveryResponse(
      new URL(server.discoveryIssuer ?? server.issuer),
      response,
    );
  } catch (error) {
    throw unreachable(provider, error);
  }
}

/** The provider's server, from the cache while it is fresh; a failed discovery is not kept. */
export async function providerServer(
  ctx: AuthContext,
  provider: OAuthProvider,
): Promise<ProviderServer> {
  const lib = await loadOAuth();
  const now = ctx.now().getTime();
  let entry = discovered.get(provider);
  if (!entry || now - entry.fetchedAt > METADATA_SECONDS * 1000) {
    entry = { fetchedAt: now, metadata: discover(lib, provider) };
    discovered.set(provider, entry);
    const mine = entry;
    entry.metadata.catch(() => {
      if (discovered.get(provider) === mine) discovered.delete(provider);
    });
  }
  const as = await entry.metadata;
  return {
    lib,
    provider,
    as,
    client: {
      client_id: provider.clientId,
      // Time as the instance's clock tells it (an injected clock in tests), for exp, iat, nbf.
      [lib.clockSkew]: Math.round((now - Date.now()) / 1000),
    },
    http: requestOptions(lib, provider),
  };
}

/** How the client authenticates at the token endpoint, with the secret made for this request. */
export async function clientAuthentication(
  lib: OAuthLibrary,
  provider: OAuthProvider,
): Promise<oauth.ClientAuth> {
  const secret =
    typeof provider.clientSecret === "function"
      ? await provider.clientSecret()
      : provider.clientSecret;
  return provider.clientAuthentication === "client_secret_post"
    ? lib.ClientSecretPost(secret)
    : lib.ClientSecretBasic(secret);
}
