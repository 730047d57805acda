import { z } from "zod";
import { limitPerIP } from "../../ops/rate-limit.js";
import { passwordGrant, refreshGrant, type TokenSet } from "../../tokens/grants.js";
import { revokeToken } from "../../tokens/revoke.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

/** The grant type; the rest of the body is the grant's own input, checked by the grant. */
const tokenRequest = z.looseObject({
  grant_type: z.enum(["password", "refresh_token"], {
    error: 'grant_type must be "password" or "refresh_token"',
  }),
});

const revokeInput = z.object({
  token: z.string({ error: "token is required" }).min(1).max(4096),
  token_type_hint: z.string().max(64).optional(),
});

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
    { "Cache-Control": "no-store", Pragma: "no-cache" },
  );
}

/**
 * Tokens for clients that are not browsers (mobile apps, CLIs, other services): everything is
 * in the body, no cookie is set or read for the result, and the CSRF check of the handler still
 * refuses untrusted origins.
 */
export const tokenRoutes: Route[] = [
  defineRoute({
    method: "POST",
    path: "/token",
    body: { schema: tokenRequest, formats: ["json", "form"] },
    rateLimit: ["login", "token-refresh"],
    async handle({ ctx, body, info }) {
      const tokens =
        body.grant_type === "password"
          ? await passwordGrant(ctx, body, info)
          : await refreshGrant(ctx, body, info);
      return tokenResponse(tokens);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/token/revoke",
    body: { schema: revokeInput, formats: ["json", "form"] },
    // Limited here: `auth.api.revokeToken` is the app's own call, not a client's request.
    rateLimit: ["token-revoke"],
    async handle({ ctx, body, info }) {
      const { token } = body;
      await limitPerIP(ctx, "token-revoke", info.ip);
      await revokeToken(ctx, token);
      // RFC 7009 §2.2: 200 whether or not the token was valid, so the answer reveals nothing.
      return noContent(200);
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
