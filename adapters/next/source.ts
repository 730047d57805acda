import type { Auth } from "../../src/index.js";
import { assertAuth } from "../guard/index.js";

/**
 * What the Next.js helpers take: an instance, or a function that returns one when first needed
 * (`instance` from `defineAuth`, which creates it at the first request, not at import or build).
 */
export type AuthSource = Auth | (() => Auth);

/** Setup-time check of an `AuthSource`: an instance is checked now, a function at first use. */
export function assertSource(where: string, source: unknown): void {
  if (typeof source !== "function") assertAuth(where, source);
}

/** The instance behind `source`, created now if that is how it was given. */
export function resolveSource(source: AuthSource): Auth {
  return typeof source === "function" ? source() : source;
}
