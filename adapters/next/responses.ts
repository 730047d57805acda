/** The guard answers, shared by the route-handler guard and the middleware; plain `Response`s. */

/** 401 in the library's error shape, never cached. */
export function unauthenticatedResponse(): Response {
  return new Response(
    JSON.stringify({ error: { code: "unauthenticated", message: "Not signed in" } }),
    {
      status: 401,
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    },
  );
}

/** 302 to the sign-in page, with `?next=` set to where the visitor was going. */
export function signInRedirect(request: Request, redirectTo: string): Response {
  const url = new URL(request.url);
  const target = new URL(redirectTo, url);
  target.searchParams.set("next", url.pathname + url.search);
  return new Response(null, {
    status: 302,
    headers: { Location: target.toString(), "Cache-Control": "no-store" },
  });
}

/** Setup-time check: a guard may only send visitors to a path on the same site. */
export function assertSitePath(option: string, value: string | undefined): void {
  if (value !== undefined && (!value.startsWith("/") || value.startsWith("//"))) {
    throw new Error(`${option}: redirectTo must be a path on this site, like "/sign-in"`);
  }
}
