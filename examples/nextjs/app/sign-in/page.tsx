import { safeRedirectPath } from "portcullis";
import { SignInForm } from "./sign-in-form";

/**
 * A server component: `?next=` is checked here, with the same helper the guards use, and only a
 * path on this site reaches the browser. A hand-written `startsWith("/")` check in the browser
 * lets `/%09/evil.example` and `/%5Cevil.example` through to another site.
 */
export default async function SignIn({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return <SignInForm next={safeRedirectPath(next, "/dashboard")} />;
}
