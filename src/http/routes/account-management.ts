import { stepUpInput } from "../../accounts/step-up.js";
import { deleteOwnAccount, updateOwnAccount, updateOwnAccountInput } from "../../flows/account.js";
import { json, noContent } from "../respond.js";
import { defineRoute, type Route } from "../route.js";
import { clearedSessionCookie } from "../session-cookie.js";

/*
 * The signed-in user's own account: change their name, delete the account. `metadata` is not
 * writable here (server code only: `auth.api.updateUser`); the user reads it with the user.
 */
export const accountManagementRoutes: Route[] = [
  defineRoute({
    method: "PATCH",
    path: "/account",
    auth: true,
    body: { schema: updateOwnAccountInput },
    async handle({ ctx, caller, body }) {
      return json(200, { user: await updateOwnAccount(ctx, caller.user.id, body) });
    },
  }),
  defineRoute({
    method: "DELETE",
    path: "/account",
    auth: true,
    body: { schema: stepUpInput, optional: true },
    rateLimit: ["account-delete"],
    async handle({ ctx, caller, body, info }) {
      const { user, session } = caller;
      await deleteOwnAccount(
        ctx,
        { userId: user.id, signedInAt: new Date(session.createdAt) },
        body,
        info,
      );
      return noContent(204, { "Set-Cookie": clearedSessionCookie(ctx.config) });
    },
  }),
];
