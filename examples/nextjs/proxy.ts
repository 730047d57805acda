import { authMiddleware } from "portcullis/next";

// Next 16 runs this before matching routes (Next 15: name the file middleware.ts). It only checks
// that a session cookie is present, without a database; pages and routes still call getSession().
export default authMiddleware({ protect: ["/dashboard", "/api/me"], redirectTo: "/sign-in" });

export const config = { matcher: ["/dashboard/:path*", "/api/me"] };
