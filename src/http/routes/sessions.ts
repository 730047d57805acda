import { requireRecentSignIn, stepUpInput } from "../../accounts/step-up.js";
import { AuthError } from "../../errors.js";
import { listSessions, revokeSession, revokeUserSessions } from "../../sessions/sessions.js";
import { parseInput } from "../../validation.js";
import { optionalJsonBody } from "../body.js";
import { json, noContent } from "../respond.js";
import { caller, type Route } from "../route.js";
import { clearedSessionCookie } from "../session-cookie.js";

export const sessionRoutes: Route[] = [
  {
    method: "GET",
    path: "/sessions",
    auth: true,
    async handle(request) {
      const { user, session } = caller(request);
      const sessions = await listSessions(request.ctx, user.id);
      return json(200, { sessions: sessions.map((s) => ({ ...s, current: s.id === session.id })) });
    },
  },
  {
    method: "DELETE",
    path: "/sessions/:id",
    auth: true,
    async handle(request) {
      const { user, session } = caller(request);
      const id = request.params.id as string;
      if (!(await revokeSession(request.ctx, user.id, id))) {
        throw new AuthError("not_found", "No such session");
      }
      const headers =
        id === session.id ? { "Set-Cookie": clearedSessionCookie(request.ctx.config) } : undefined;
      return noContent(204, headers);
    },
  },
  {
    method: "POST",
    path: "/sessions/revoke-others",
    auth: true,
    async handle(request) {
      const { ctx } = request;
      const { user, session } = caller(request);
      const body = await optionalJsonBody(request.request, ctx.config.maxBodyBytes);
      const { currentPassword } = parseInput(stepUpInput, body);
      await requireRecentSignIn(
        ctx,
        { userId: user.id, signedInAt: new Date(session.createdAt) },
        currentPassword,
      );
      await revokeUserSessions(ctx, user.id, session.id);
      return noContent();
    },
  },
];
