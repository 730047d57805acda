/*
 * The request listener of `portcullis serve`: every request goes to `auth.handler`, which
 * serves basePath (/auth) and answers anything else 404 in the library's error shape. The
 * top-level probe and scrape paths that platforms expect are the library's own routes under
 * another name, so they behave exactly as those do:
 *
 *   /health, /liveness  →  /auth/health   (the process answers)
 *   /readiness          →  /auth/ready    (storage reachable and migrated, else 503 + reason)
 *   /metrics            →  /auth/metrics  (Bearer METRICS_TOKEN; 404 without one, like /auth/metrics)
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { errorBody } from "../../src/errors.js";
import type { Auth } from "../../src/index.js";
import type { Logger } from "../../src/util/logger.js";
import { targetPath } from "../guard/index.js";
import { sendWebResponse, toWebRequest } from "../node-http/index.js";

export const TOP_LEVEL_ALIASES: Readonly<Record<string, string>> = {
  "/health": "/health",
  "/liveness": "/health",
  "/readiness": "/ready",
  "/metrics": "/metrics",
};

/** The path and query to hand the handler: an alias rewritten below basePath, else as sent. */
export function handlerPath(target: string, basePath: string): string {
  const path = targetPath(target);
  const queryAt = path.indexOf("?");
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  const alias = Object.hasOwn(TOP_LEVEL_ALIASES, pathname) ? TOP_LEVEL_ALIASES[pathname] : null;
  return alias ? `${basePath}${alias}${queryAt === -1 ? "" : path.slice(queryAt)}` : path;
}

export function serveRequests(
  auth: Auth,
  logger: Logger,
  state: { readonly closing: boolean },
): RequestListener {
  const { origin, basePath } = auth.config;
  return function portcullis(req: IncomingMessage, res: ServerResponse) {
    Promise.resolve()
      .then(() => {
        const request = toWebRequest(req, origin + handlerPath(req.url ?? "/", basePath));
        return auth.handler(request, { clientIP: req.socket.remoteAddress ?? null });
      })
      .then((response) => {
        // Once shutting down (even if it began while this request ran), the connection closes
        // after the response: a keep-alive client opens its next one to another instance.
        if (state.closing) res.setHeader("Connection", "close");
        return sendWebResponse(res, response);
      })
      .catch((error: unknown) => {
        // The handler answers every failure itself; what lands here is the socket (the client
        // went away mid-response) or a bug. Either way: answer if nothing was sent, else cut.
        logger.debug({ err: error }, "response not completed");
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.statusCode = 500;
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify(errorBody("internal")));
      });
  };
}
