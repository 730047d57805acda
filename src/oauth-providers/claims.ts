import type { OAuthProfile, OAuthProfileSource } from "./provider.js";

/*
 * Reading the standard OIDC claims (OpenID Connect Core §5.1). Providers are not uniform: Apple
 * sends `email_verified` as the string "true", some send no email in the ID token and only at
 * the userinfo endpoint. Anything unexpected reads as absent or unverified, never as verified.
 */

/** The claim when it is a non-empty string, else null. */
export function stringClaim(
  claims: Readonly<Record<string, unknown>>,
  name: string,
): string | null {
  const value = claims[name];
  return typeof value === "string" && value !== "" ? value : null;
}

/** A boolean assertion: `true`, or the string "true" (Apple). Anything else is false. */
export function isAsserted(value: unknown): boolean {
  return value === true || value === "true";
}

/**
 * The identity of an OIDC provider: `sub` from the ID token; email, `email_verified` and name
 * from the ID token, or from userinfo when the ID token carries no email (many providers put
 * scope claims only there).
 */
export async function oidcProfile(source: OAuthProfileSource): Promise<OAuthProfile> {
  const idToken = source.idToken ?? {};
  const subject = stringClaim(idToken, "sub");
  if (subject === null) throw new TypeError("the ID token has no sub claim");
  const claims =
    stringClaim(idToken, "email") === null ? { ...(await source.userinfo()), ...idToken } : idToken;
  return {
    subject,
    email: stringClaim(claims, "email"),
    emailVerified: isAsserted(claims.email_verified),
    name: stringClaim(claims, "name"),
  };
}
