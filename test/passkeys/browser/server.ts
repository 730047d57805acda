import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
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

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const method = req.method ?? "GET";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
}

async function sendResponse(response: Response, res: ServerResponse) {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

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
      toRequest(req, origin)
        .then((request) => (auth as Auth).handler(request, { clientIP: req.socket.remoteAddress }))
        .then((response) => sendResponse(response, res))
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
