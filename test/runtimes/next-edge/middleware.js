import { NextResponse } from "next/server";
import { authMiddleware } from "portcullis/next";

/*
 * JavaScript, not TypeScript, so the repository's tsc (which runs before the build that makes
 * dist/next.d.ts) never type-checks this fixture. The secret is a fixture's, not a real one.
 */
export const EDGE_FIXTURE = {
  issuer: "http://localhost:3000",
  secret: "next-edge-fixture-hs256-secret-of-32-bytes+",
};

const guard = authMiddleware({
  protect: ["/protected", "/api/private"],
  redirectTo: "/sign-in",
  accessTokens: {
    keys: [{ kid: "edge-fixture", alg: "HS256", secret: EDGE_FIXTURE.secret }],
    issuer: EDGE_FIXTURE.issuer,
    audience: EDGE_FIXTURE.issuer,
  },
});

/** Says which runtime ran it: Next's edge runtime defines the global `EdgeRuntime`. */
function tagged(response) {
  const runtime = typeof EdgeRuntime === "string" ? `edge (${EdgeRuntime})` : "nodejs";
  response.headers.set("x-middleware-runtime", runtime);
  return response;
}

export default async function middleware(request) {
  return tagged((await guard(request)) ?? NextResponse.next());
}

export const config = {
  matcher: ["/protected/:path*", "/api/private/:path*"],
};
