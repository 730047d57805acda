import { redirect } from "next/navigation";
import { getSession } from "@/lib/auth";
import { Passkeys } from "./passkeys";
import { Sessions } from "./sessions";
import { SignOut } from "./sign-out";

/** The protected page: the server checks the session itself; the proxy's cookie check is a hint. */
export default async function Dashboard() {
  const session = await getSession();
  if (!session) redirect("/sign-in?next=/dashboard");
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
    </>
  );
}
