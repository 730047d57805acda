import { safeRedirectPath } from "portcullis";
import { SecondFactorForm } from "./second-factor-form";

/**
 * The second step of a sign-in (a password, a magic link, a passkey without a PIN) of an account
 * with two-factor authentication. A server component: `?next=` is checked here, as on the
 * sign-in page, and only a path on this site reaches the browser.
 */
export default async function TwoFactor({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return <SecondFactorForm next={safeRedirectPath(next, "/dashboard")} />;
}
