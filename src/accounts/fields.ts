import * as z from "zod";

/** Emails are compared case-insensitively, so they are stored trimmed and lower-cased. */
export const emailField = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .max(254, "email must be at most 254 characters")
  .pipe(z.email({ error: "email must be an email address" }));

/** The byte cap on passwords is the policy's; this only bounds what reaches it. */
export const passwordField = z
  .string({ error: "password is required" })
  .min(1, "password is required")
  .max(4096, "password is too long");

export const nameField = z.string().trim().min(1).max(200).nullish();
