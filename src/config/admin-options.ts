import * as z from "zod";
import type { User } from "../types.js";

/*
 * The `admin` option (DESIGN §6), documented on `AuthOptions` and `AdminOptions`: who may call
 * the admin routes (`/auth/admin/*`). Checked at startup: a token long enough that guessing it
 * is hopeless (no rate limit stands in front of it), and at least one way in, since an `admin`
 * that lets nobody in is a mistake rather than a choice.
 */

/** The fewest characters of `admin.token`: 32 printable characters carry ~200 bits at random. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

export const adminSchema = z
  .strictObject({
    token: z
      .string()
      .min(
        MIN_ADMIN_TOKEN_LENGTH,
        `admin.token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (npx portcullis secret makes one)`,
      )
      .regex(/^[\x21-\x7e]+$/, "admin.token must be printable ASCII without spaces")
      .optional(),
    isAdmin: z
      .custom<(user: User) => boolean | Promise<boolean>>((value) => typeof value === "function", {
        error: "admin.isAdmin must be a function (user) => boolean, possibly async",
      })
      .optional(),
  })
  .refine((admin) => admin.token !== undefined || admin.isAdmin !== undefined, {
    error:
      "admin needs token (a Bearer token for scripts) or isAdmin (which signed-in users are administrators), or both",
  })
  .optional();
