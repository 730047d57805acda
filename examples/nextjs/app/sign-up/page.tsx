import { safeRedirectPath } from "portcullis";
import { SignUpForm } from "./sign-up-form";

/**
 * A server component: `?next=` is checked here, with the same helper the guards use, and only a
 * path on this site reaches the browser. A hand-written `startsWith("/")` check in the browser
 * lets `/%09/evil.example` and `/%5Cevil.example` through to another site.
 */
export default async function SignUp({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return <SignUpForm next={safeRedirectPath(next, "/dashboard")} />;
}
