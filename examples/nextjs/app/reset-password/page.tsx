import Link from "next/link";
import { ResetPasswordForm } from "./reset-password-form";

/**
 * Where the password reset email links to (the library's default `passwordReset.url`), with
 * `?token=`. Opening the page uses nothing up: the form sends the token with the new password.
 */
export default async function ResetPassword({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  if (typeof token !== "string" || token === "") {
    return (
      <>
        <h1>Set a new password</h1>
        <p>
          Open this page from the link in the reset email.{" "}
          <Link href="/forgot-password">Ask for a new link</Link>.
        </p>
      </>
    );
  }
  return <ResetPasswordForm token={token} />;
}
