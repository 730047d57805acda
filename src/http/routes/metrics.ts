import { constantTimeEqual } from "../../crypto/constant-time.js";
import { sha256Base64url } from "../../crypto/sha256.js";
import { AuthError } from "../../errors.js";
import { PROMETHEUS_CONTENT_TYPE } from "../../metrics/registry.js";
import { errorResponse } from "../respond.js";
import { defineRoute, type Route } from "../route.js";

/**
 * `GET /auth/metrics`: `auth.metrics()` for a Prometheus scraper, only with the `metrics.token`
 * option (never public by default: without it the route answers 404 like an unknown one). The
 * scraper sends `Authorization: Bearer <token>`; the SHA-256 of both sides is compared, in
 * constant time and at a fixed length, so neither timing nor length tells anything about the token.
 */
export const metricsRoutes: Route[] = [
  defineRoute({
    method: "GET",
    path: "/metrics",
    feature: (ctx) => ctx.config.metrics !== undefined,
    async handle({ ctx, credential }) {
      const expected = ctx.config.metrics?.token;
      const presented = credential?.kind === "bearer" ? credential.token : null;
      const allowed =
        expected !== undefined &&
        presented !== null &&
        constantTimeEqual(sha256Base64url(presented), sha256Base64url(expected));
      if (!allowed) {
        const response = errorResponse(
          new AuthError("unauthenticated", "Send the metrics token as Authorization: Bearer"),
        );
        response.headers.set("WWW-Authenticate", 'Bearer realm="metrics"');
        return response;
      }
      return new Response(await ctx.metrics.expose(), {
        status: 200,
        headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE },
      });
    },
  }),
];
