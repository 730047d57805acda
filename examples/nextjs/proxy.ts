import { authMiddleware } from "portcullis/next";

// Next 16 runs this before matching routes (Next 15: name the file middleware.ts). It only checks
// that a session cookie is present, without a database; pages and routes still call auth().
export default authMiddleware({ protect: ["/dashboard", "/api/me"], redirectTo: "/sign-in" });

export const config = {
  matcher: [
    // Not with `?error=`: a failed mail link lands on /dashboard?error=…, and the page itself sends
    // a signed-out visitor to sign in with the error kept (the proxy would bury it in `?next=`).
    // Nor with `?mfa=required`, where a magic link to an account with two-factor authentication
    // lands without a session yet: the page sends it on to the code.
    {
      source: "/dashboard/:path*",
      missing: [
        { type: "query", key: "error" },
        { type: "query", key: "mfa" },
      ],
    },
    "/api/me",
  ],
};
