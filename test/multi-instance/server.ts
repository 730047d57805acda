import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { APP_ORIGIN, createApp } from "./app.js";

/*
 * One instance of the app, in its own process, serving HTTP on an ephemeral port. Started by
 * the multi-instance test with `node --import tsx`; talks to the test over the IPC channel:
 * `{ type: "ready", port }` once listening, `{ type: "mail", message }` for every mail sent.
 */

const send = (message: unknown) => process.send?.(message);

async function body(req: IncomingMessage): Promise<string | undefined> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const app = await createApp({
  postgresUrl: process.env.POSTGRES_URL as string,
  schema: process.env.SCHEMA as string,
  redisUrl: process.env.REDIS_URL as string,
  prefix: process.env.PREFIX as string,
  onMail: (message) => send({ type: "mail", message }),
});

const server = createServer(async (req, res) => {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const request = new Request(new URL(req.url ?? "/", APP_ORIGIN), {
      method: req.method,
      headers,
      body: await body(req),
    });
    const response = await app.auth.handler(request, { clientIP: req.socket.remoteAddress });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
});

server.listen(0, "127.0.0.1", () => {
  send({ type: "ready", port: (server.address() as AddressInfo).port });
});

process.on("disconnect", () => {
  server.close();
  app.close().finally(() => process.exit(0));
});
