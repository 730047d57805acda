import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sendWebResponse, toWebRequest } from "../../adapters/node-http/index.js";
import { APP_ORIGIN, createApp } from "./app.js";

/*
 * One instance of the app, in its own process, serving HTTP on an ephemeral port. Started by
 * the multi-instance test with `node --import tsx`; talks to the test over the IPC channel:
 * `{ type: "ready", port }` once listening, `{ type: "mail", message }` for every mail sent.
 */

const send = (message: unknown) => process.send?.(message);

const app = await createApp({
  postgresUrl: process.env.POSTGRES_URL as string,
  schema: process.env.SCHEMA as string,
  redisUrl: process.env.REDIS_URL as string,
  prefix: process.env.PREFIX as string,
  onMail: (message) => send({ type: "mail", message }),
});

const server = createServer(async (req, res) => {
  try {
    const request = toWebRequest(req, new URL(req.url ?? "/", APP_ORIGIN).href);
    const response = await app.auth.handler(request, { clientIP: req.socket.remoteAddress });
    await sendWebResponse(res, response);
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
