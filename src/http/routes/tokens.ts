import { z } from "zod";
import type { SecondFactorRequired } from "../../mfa/pending-step.js";
import { limitPerIP } from "../../ops/rate-limit.js";
import { passwordGrant, refreshGrant, type TokenSet } from "../../tokens/grants.js";
import { mfaOtpGrant } from "../../tokens/mfa-grant.js";
import { revokeToken } from "../../tokens/revoke.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

/** The grant type; the rest of the body is the grant's own input, checked by the grant. */
const tokenRequest = z.looseObject({
  grant_type: z.enum(["password", "refresh_token", "mfa_otp"], {
    error: 'grant_type must be "password", "refresh_token" or "mfa_otp"',
  }),
});

const revokeInput = z.object({
  token: z.string({ error: "token is required" }).min(1).max(4096),
  token_type_hint: z.string().max(64).optional(),
});

/** Token responses are never cached (RFC 6749 §5.1). */
const noStore = { "Cache-Control": "no-store", Pragma: "no-cache" };

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
  return json(
    400,
    {
      error: "mfa_required",
      error_description:
        "This account has two-factor authentication: send grant_type=mfa_otp with this mfa_token and otp (the code of the authenticator app) or recovery_code",
      mfa_token: pending.mfaToken,
    },
    noStore,
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
    rateLimit: ["login", "token-refresh", "mfa"],
    async handle({ ctx, body, info }) {
      if (body.grant_type === "password") {
        const granted = await passwordGrant(ctx, body, info);
        return "mfaRequired" in granted ? mfaRequiredResponse(granted) : tokenResponse(granted);
      }
      const tokens =
        body.grant_type === "mfa_otp"
          ? await mfaOtpGrant(ctx, body, info)
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
