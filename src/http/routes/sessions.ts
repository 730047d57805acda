import { requireRecentSignIn, stepUpInput } from "../../accounts/step-up.js";
import { AuthError } from "../../errors.js";
import { listSessions, revokeSession, revokeUserSessions } from "../../sessions/sessions.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";
import { clearedSessionCookie } from "../session-cookie.js";

export const sessionRoutes: Route[] = [
  defineRoute({
    method: "GET",
    path: "/sessions",
    auth: true,
    async handle({ ctx, caller }) {
      const { user, session } = caller;
      const sessions = await listSessions(ctx, user.id);
      return json(200, { sessions: sessions.map((s) => ({ ...s, current: s.id === session.id })) });
    },
  }),
  defineRoute({
    method: "DELETE",
    path: "/sessions/:id",
    auth: true,
    async handle({ ctx, caller, params, info }) {
      const { user, session } = caller;
      const id = params.id as string;
      if (!(await revokeSession(ctx, user.id, id, info))) {
        throw new AuthError("not_found", "No such session");
      }
      const headers =
        id === session.id ? { "Set-Cookie": clearedSessionCookie(ctx.config) } : undefined;
      return noContent(204, headers);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/sessions/revoke-others",
    auth: true,
    body: { schema: stepUpInput, optional: true },
    async handle({ ctx, caller, body, info }) {
      const { user, session } = caller;
      await requireRecentSignIn(
        ctx,
        { userId: user.id, signedInAt: new Date(session.createdAt) },
        body,
        info,
      );
      await revokeUserSessions(ctx, user.id, session.id);
      return noContent();
    },
  }),
];
