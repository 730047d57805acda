import type { AuthContext } from "../../context/context.js";
import { isAuthError } from "../../errors.js";
import { json } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

/** Pings each distinct port once; any failure means the storage is not ready. */
export async function checkStorage(ctx: AuthContext): Promise<void> {
  const ports = new Set(Object.values(ctx.storage) as { ping?: () => Promise<void> }[]);
  await Promise.all([...ports].map((port) => port.ping?.()));
}

export const healthRoutes: Route[] = [
  defineRoute({
    method: "GET",
    path: "/health",
    async handle() {
      return json(200, { status: "ok" });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/ready",
    async handle({ ctx }) {
      try {
        await checkStorage(ctx);
      } catch (cause) {
        // DESIGN §6: readiness names what is wrong, for the operator reading the probe.
        const reason =
          isAuthError(cause) && cause.message !== "Storage is unavailable"
            ? cause.message
            : "storage is not reachable";
        ctx.config.logger.warn({ err: cause }, `not ready: ${reason}`);
        return json(503, { status: "unavailable", reason }, { "Retry-After": "5" });
      }
      return json(200, { status: "ok" });
    },
  }),
];
