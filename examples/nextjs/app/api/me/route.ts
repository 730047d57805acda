import { getSession } from "@/lib/auth";

/** A protected API route: 401 in Portcullis's error shape unless signed in. */
export async function GET() {
  const session = await getSession();
  if (!session) {
    return Response.json(
      { error: { code: "unauthenticated", message: "Not signed in" } },
      { status: 401 },
    );
  }
  return Response.json({ user: session.user });
}
