import * as z from "zod";

/** A TOTP code as typed: 6 digits (spaces around and inside forgiven, as apps show `123 456`). */
export const totpCodeField = z
  .string({ error: "code is required" })
  .transform((value) => value.replace(/\s/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "code must be the 6 digits your authenticator app shows"));

/** A recovery code as typed, e.g. `7fq2m-k0xva`; its shape is checked when it is used. */
export const recoveryCodeField = z
  .string({ error: "recoveryCode is required" })
  .trim()
  .min(1, "recoveryCode is required")
  .max(64, "recoveryCode is too long");

/** A second factor: a TOTP `code` or a `recoveryCode`, exactly one of them. */
export const secondFactorShape = {
  code: totpCodeField.optional(),
  recoveryCode: recoveryCodeField.optional(),
};

export const exactlyOneFactor = (value: { code?: string; recoveryCode?: string }) =>
  (value.code === undefined) !== (value.recoveryCode === undefined);

export const ONE_FACTOR_MESSAGE =
  "send either code (the 6 digits your authenticator app shows) or recoveryCode";

export const secondFactorInput = z
  .object(secondFactorShape)
  .refine(exactlyOneFactor, { error: ONE_FACTOR_MESSAGE });

/** A second factor as the checks take it. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** The one factor of an input that passed `exactlyOneFactor`. */
export function factorOf(value: { code?: string; recoveryCode?: string }): SecondFactor {
  return value.code !== undefined
    ? { code: value.code }
    : { recoveryCode: value.recoveryCode ?? "" };
}
