import * as z from "zod";
import type { AuthContext } from "../context/context.js";
import { AuthError } from "../errors.js";
import { completeSecondFactor } from "../mfa/complete.js";
import { exactlyOneFactor, recoveryCodeField, totpCodeField } from "../mfa/fields.js";
import { limitPerIP } from "../ops/rate-limit.js";
import { signIn } from "../sessions/sessions.js";
import type { RequestInfo } from "../types.js";
import { parseInput } from "../validation.js";
import { issueTokensForSession, type TokenSet } from "./grants.js";

/** `grant_type=mfa_otp`: the `mfa_token` of the pending step and `otp` or `recovery_code`. */
export const mfaOtpGrantInput = z
  .object({
    mfa_token: z.string({ error: "mfa_token is required" }).min(1).max(256),
    otp: totpCodeField.optional(),
    recovery_code: recoveryCodeField.optional(),
  })
  .refine((value) => exactlyOneFactor({ code: value.otp, recoveryCode: value.recovery_code }), {
    error: "send either otp (the 6 digits your authenticator app shows) or recovery_code",
  });

/**
 * `grant_type=mfa_otp`: completes the pending step a password grant answered `mfa_required`
 * with, then opens the session and mints the usual token set. Failures as for
 * `POST /auth/mfa/verify`: `token_invalid` (the step is used, void or expired), `mfa_invalid`,
 * `rate_limited`.
 */
export async function mfaOtpGrant(
  ctx: AuthContext,
  input: unknown,
  info: RequestInfo = {},
): Promise<TokenSet> {
  const { mfa_token, otp, recovery_code } = parseInput(mfaOtpGrantInput, input);
  await limitPerIP(ctx, "mfa", info.ip);
  const factor = otp !== undefined ? { code: otp } : { recoveryCode: recovery_code ?? "" };
  const completed = await completeSecondFactor(ctx, { mfaToken: mfa_token, factor }, info);
  const outcome = await signIn(ctx, completed.user.id, "mfa", info, { secondFactor: completed });
  if (outcome.mfaRequired) throw new AuthError("internal", "A completed second factor was refused");
  return issueTokensForSession(ctx, { userId: completed.user.id, sessionId: outcome.session.id });
}
