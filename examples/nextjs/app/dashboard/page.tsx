import { redirect } from "next/navigation";
import { auth, instance } from "@/lib/auth";
import { RecentActivity } from "./activity";
import { ChangePassword } from "./change-password";
import { Passkeys } from "./passkeys";
import { Sessions } from "./sessions";
import { SignOut } from "./sign-out";
import { TwoFactor } from "./two-factor";

/** The protected page: the server checks the session itself; the proxy's cookie check is a hint. */
export default async function Dashboard({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { error, mfa } = await searchParams;
  // A magic link to an account with two-factor authentication lands here with `?mfa=required`
  // and no session yet, only the pending step: on to the page that asks for the code.
  if (mfa === "required") redirect("/sign-in/two-factor?next=/dashboard");
  const session = await auth();
  if (!session) {
    // A mail link that failed (a used or expired magic link) lands here with `?error=`: keep it,
    // so the sign-in page says why (proxy.ts lets such requests through to this check).
    redirect(
      typeof error === "string"
        ? `/sign-in?next=/dashboard&error=${encodeURIComponent(error)}`
        : "/sign-in?next=/dashboard",
    );
  }
  const { user } = session;
  const twoFactor = await instance().api.getMfaStatus(user.id);
  return (
    <>
      <h1>Dashboard</h1>
      <p>
        Signed in as <strong data-testid="email">{user.email}</strong>
        {user.name ? ` (${user.name})` : ""}.
      </p>
      <SignOut />
      <Sessions />
      <Passkeys />
      <TwoFactor
        emailVerified={user.emailVerified}
        status={{
          enabled: twoFactor.enabled,
          enabledAt: twoFactor.enabledAt?.toISOString() ?? null,
          recoveryCodesRemaining: twoFactor.recoveryCodesRemaining,
        }}
      />
      <ChangePassword />
      <RecentActivity userId={user.id} />
    </>
  );
}
