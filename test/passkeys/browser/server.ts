import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { sendWebResponse, toWebRequest } from "../../../adapters/node-http/index.js";
import type { Auth } from "../../../src/index.js";

/*
 * The test's web server on loopback: /auth/* goes to auth.handler (Node request in, Web Request
 * through, Node response out), "/" is the page, and the @simplewebauthn/browser bundle beside it.
 */

const require = createRequire(import.meta.url);
const page = readFileSync(new URL("./page.html", import.meta.url), "utf8");
/** The package's UMD bundle; not in its exports map, so found from the package's own entry. */
function browserBundlePath(): string {
  const name = "@simplewebauthn/browser";
  const entry = require.resolve(name);
  return join(
    entry.slice(0, entry.lastIndexOf(name) + name.length),
    "dist/bundle/index.umd.min.js",
  );
}
const browserBundle = readFileSync(browserBundlePath(), "utf8");

export interface TestServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; `makeAuth(port)` builds the auth for that origin. */
export async function startTestServer(makeAuth: (port: number) => Auth): Promise<TestServer> {
  let auth: Auth | null = null;
  let origin = "";
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    } else if (path === "/simplewebauthn-browser.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(browserBundle);
    } else if (path?.startsWith("/auth/") && auth) {
      const request = toWebRequest(req, new URL(req.url ?? "/", origin).href);
      (auth as Auth)
        .handler(request, { clientIP: req.socket.remoteAddress })
        .then((response) => sendWebResponse(res, response))
        .catch((error) => {
          console.error(error);
          res.writeHead(500).end();
        });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://localhost:${port}`;
  auth = makeAuth(port);
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
