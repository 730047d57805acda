import Link from "next/link";
import { type ReactNode, Suspense } from "react";
import { QueryMessage } from "./query-message";

export const metadata = { title: "Portcullis + Next.js" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "2rem auto" }}>
        <nav style={{ display: "flex", gap: "1rem", marginBottom: "2rem" }}>
          <Link href="/">Home</Link>
          <Link href="/sign-up">Sign up</Link>
          <Link href="/sign-in">Sign in</Link>
          <Link href="/magic-link">Magic link</Link>
          <Link href="/dashboard">Dashboard</Link>
        </nav>
        <main>
          {/* Reads the query in the browser: Suspense lets the rest of the page prerender. */}
          <Suspense fallback={null}>
            <QueryMessage />
          </Suspense>
          {children}
        </main>
      </body>
    </html>
  );
}
