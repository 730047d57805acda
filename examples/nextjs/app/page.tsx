import Link from "next/link";
import { auth } from "@/lib/auth";

export default async function Home() {
  const session = await auth();
  return (
    <>
      <h1>Portcullis + Next.js</h1>
      {session ? (
        <p>
          Signed in as <strong>{session.user.email}</strong>.{" "}
          <Link href="/dashboard">Dashboard</Link>
        </p>
      ) : (
        <p>
          <Link href="/sign-up">Create an account</Link> or <Link href="/sign-in">sign in</Link>.
        </p>
      )}
    </>
  );
}
