import { requireAuth } from "@/lib/auth";

/** A protected API route: 401 in Portcullis's error shape unless signed in. */
export const GET = requireAuth((_request, _context, { user }) => Response.json({ user }));
