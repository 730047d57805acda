import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendWebResponse, toWebRequest } from "../../adapters/node-http/index.js";

/**
 * A real HTTP server on 127.0.0.1 (a free port) that hands every request to `handler`, as
 * `portcullis serve` does: clients that only speak HTTP (jose's remote key set, PyJWT, fetch)
 * reach it by URL. `start(url)` builds what serves, once the URL is known (an instance's
 * baseURL must be it).
 */
export async function serveOver<Handler extends (request: Request) => Promise<Response>>(
  start: (url: string) => Handler,
) {
  let handler: Handler | null = null;
  let requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    requests.push(`${req.method} ${path}`);
    const respond = handler
      ? handler(toWebRequest(req, `${url}${path}`))
      : Promise.resolve(new Response(null, { status: 503 }));
    respond.then((response) => sendWebResponse(res, response)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handler = start(url);
  return {
    url,
    handler,
    /** The requests received since the last call (`METHOD /path?query`), and forgets them. */
    takeRequests(): string[] {
      const taken = requests;
      requests = [];
      return taken;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
