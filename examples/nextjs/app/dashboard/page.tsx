import { redirect } from "next/navigation";
import { auth } from "@/lib/auth";
import { RecentActivity } from "./activity";
import { ChangePassword } from "./change-password";
import { Passkeys } from "./passkeys";
import { Sessions } from "./sessions";
import { SignOut } from "./sign-out";

/** The protected page: the server checks the session itself; the proxy's cookie check is a hint. */
export default async function Dashboard({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await auth();
  if (!session) {
    // A mail link that failed (a used or expired magic link) lands here with `?error=`: keep it,
    // so the sign-in page says why (proxy.ts lets such requests through to this check).
    const { error } = await searchParams;
    redirect(
      typeof error === "string"
        ? `/sign-in?next=/dashboard&error=${encodeURIComponent(error)}`
        : "/sign-in?next=/dashboard",
    );
  }
  const { user } = session;
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
      <ChangePassword />
      <RecentActivity userId={user.id} />
    </>
  );
}
