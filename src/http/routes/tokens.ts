import * as z from "zod";
import type { ResolvedConfig } from "../../config/config.js";
import type { SecondFactorRequired } from "../../mfa/pending-step.js";
import { limitPerIP } from "../../ops/rate-limit.js";
import { passwordGrant, refreshGrant, type TokenSet } from "../../tokens/grants.js";
import { GRANT_TYPES, type GrantType } from "../../tokens/metadata.js";
import { mfaOtpGrant } from "../../tokens/mfa-grant.js";
import { type OAuthErrorCode, oauthErrorBody } from "../../tokens/oauth-errors.js";
import { revokeToken } from "../../tokens/revoke.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

/**
 * RFC 6749 §3.2: a parameter sent without a value is treated as if it were left out, and the
 * form encoding sends every field as a string.
 */
const parameter = (max: number) =>
  z.preprocess((value) => (value === "" ? undefined : value), z.string().max(max).optional());

/**
 * What the route itself reads: the grant type (the rest of the body is the grant's own input,
 * checked by the grant) and what a client may send about itself.
 */
const tokenRequest = z.looseObject({
  grant_type: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string({ error: "grant_type is required" }).max(256),
  ),
  client_id: parameter(255),
  client_secret: parameter(1024),
});

const revokeInput = z.object({
  token: z.string({ error: "token is required" }).min(1).max(4096),
  token_type_hint: z.string().max(64).optional(),
  client_id: parameter(255),
  client_secret: parameter(1024),
});

/** Token responses are never cached (RFC 6749 §5.1). */
const noStore = { "Cache-Control": "no-store", Pragma: "no-cache" };

function oauthError(
  status: number,
  error: OAuthErrorCode,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, oauthErrorBody(error, description), { ...noStore, ...headers });
}

/** The RFC 6749 §5.1 token response. */
function tokenResponse(tokens: TokenSet): Response {
  return json(
    200,
    {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      token_type: tokens.tokenType,
      expires_in: tokens.expiresIn,
    },
    noStore,
  );
}

/**
 * A password grant for an account with MFA (DESIGN §7), in RFC 6749 §5.2 form as OAuth clients
 * parse errors: `400 { error: "mfa_required", error_description, mfa_token }`. The client asks
 * for the code and sends `grant_type=mfa_otp` with `mfa_token` and `otp` (or `recovery_code`).
 */
function mfaRequiredResponse(pending: SecondFactorRequired): Response {
  const body = oauthErrorBody(
    "mfa_required",
    "This account has two-factor authentication: send grant_type=mfa_otp with this mfa_token and otp (the code of the authenticator app) or recovery_code",
    { mfa_token: pending.mfaToken },
  );
  return json(400, body, noStore);
}

/** The secret of `Authorization: Basic` (RFC 6749 §2.3.1), "" for none; null when malformed. */
function basicSecret(authorization: string): string | null {
  try {
    const decoded = atob(authorization.replace(/^basic\s+/i, "").trim());
    const colon = decoded.indexOf(":");
    return colon === -1 ? null : decoded.slice(colon + 1);
  } catch {
    return null;
  }
}

/**
 * Clients are not registered, so every client is public and authenticates with nothing (`none`,
 * as discovery says); the `client_id` it may send is accepted and plays no part. A client that
 * sends a secret, by HTTP Basic or `client_secret`, uses a method this server does not support:
 * `401 invalid_client` (RFC 6749 §5.2), rather than letting anyone believe a secret protects
 * its tokens. An empty secret is none: requests-oauthlib and Authlib send a public client's id
 * as `Authorization: Basic` with an empty password by default.
 */
function refuseClientSecret(
  request: Request,
  body: { client_secret?: string | undefined },
  config: ResolvedConfig,
): Response | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null && /^basic(\s|$)/i.test(authorization)) {
    const secret = basicSecret(authorization);
    if (secret !== "") {
      // RFC 6749 §5.2: a 401 to an Authorization header names the scheme the client used.
      return oauthError(401, "invalid_client", clientSecretMessage(secret === null), {
        "WWW-Authenticate": `Basic realm="${config.origin}"`,
      });
    }
  }
  if (body.client_secret !== undefined) {
    return oauthError(401, "invalid_client", clientSecretMessage(false));
  }
  return null;
}

function clientSecretMessage(malformed: boolean): string {
  return malformed
    ? "Malformed Basic credentials; public clients send client_id without a secret (token_endpoint_auth_method none)"
    : "This server has no client secrets: clients are public; send client_id without a secret (token_endpoint_auth_method none)";
}

function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}

/**
 * The OAuth token endpoints, for clients that are not browsers (mobile apps, CLIs, other
 * services). Everything is in the body: they read no cookie (`readsCookies: false`, hence no CSRF
 * check: a browser's session is neither used nor touched) and set none, and they answer failures
 * in RFC 6749 §5.2 form (`errorFormat: "oauth"`), which OAuth client libraries parse.
 */
export const tokenRoutes: Route[] = [
  defineRoute({
    method: "POST",
    path: "/token",
    body: { schema: tokenRequest, formats: ["json", "form"] },
    rateLimit: ["login", "token-refresh", "mfa"],
    readsCookies: false,
    errorFormat: "oauth",
    async handle({ ctx, request, body, info }) {
      const refused = refuseClientSecret(request, body, ctx.config);
      if (refused) return refused;
      const grantType = body.grant_type;
      if (!isGrantType(grantType)) {
        return oauthError(
          400,
          "unsupported_grant_type",
          `grant_type must be one of ${GRANT_TYPES.join(", ")}`,
        );
      }
      switch (grantType) {
        case "password": {
          const granted = await passwordGrant(ctx, body, info);
          return "mfaRequired" in granted ? mfaRequiredResponse(granted) : tokenResponse(granted);
        }
        case "mfa_otp":
          return tokenResponse(await mfaOtpGrant(ctx, body, info));
        case "refresh_token":
          return tokenResponse(await refreshGrant(ctx, body, info));
      }
    },
  }),
  defineRoute({
    method: "POST",
    path: "/token/revoke",
    body: { schema: revokeInput, formats: ["json", "form"] },
    // Limited here: `auth.api.revokeToken` is the app's own call, not a client's request.
    rateLimit: ["token-revoke"],
    readsCookies: false,
    errorFormat: "oauth",
    async handle({ ctx, request, body, info }) {
      const refused = refuseClientSecret(request, body, ctx.config);
      if (refused) return refused;
      await limitPerIP(ctx, "token-revoke", info.ip);
      await revokeToken(ctx, body.token);
      // RFC 7009 §2.2: 200 whether or not the token was valid, so the answer reveals nothing.
      return noContent(200, noStore);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/jwks",
    async handle({ ctx }) {
      // Public keys may be cached briefly; key rotation keeps retired keys published longer.
      return json(200, (await ctx.keys).jwks, {
        "Cache-Control": "public, max-age=300",
      });
    },
  }),
];
