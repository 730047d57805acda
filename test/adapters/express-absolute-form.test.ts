/**
 * An absolute-form request target (`POST http://evil.example/auth/login HTTP/1.1`, RFC 9112
 * §3.2.2: servers must accept it) reaches the auth routes by its path, as Express routes the
 * app's own; the host it names never becomes the origin the core sees. Sent over a raw socket,
 * since fetch always sends origin-form.
 */
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { authHandler } from "../../adapters/express/index.js";
import { createAuth } from "../../src/index.js";
import { PASSWORD } from "../helpers.js";
import { CONFORMANCE_ORIGIN, conformanceAuthOptions } from "./conformance.js";

let server: ReturnType<ReturnType<typeof express>["listen"]>;
let port = 0;

beforeAll(async () => {
  const app = express();
  app.use(authHandler(createAuth(conformanceAuthOptions())));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function rawRequest(lines: string[], body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(`${[...lines, "Connection: close", "", body].join("\r\n")}`),
    );
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

it("serves an absolute-form target by its path, with this site's origin", async () => {
  const body = JSON.stringify({ email: "ada@example.com", password: PASSWORD });
  const json = (target: string, origin = CONFORMANCE_ORIGIN) =>
    rawRequest(
      [
        `POST ${target} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Origin: ${origin}`,
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
      ],
      body,
    );
  expect((await json("http://evil.example/auth/register")).split("\r\n")[0]).toBe(
    "HTTP/1.1 201 Created",
  );
  const login = await json("http://evil.example/auth/login");
  expect(login.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
  expect(login).toMatch(/^set-cookie: portcullis\.session=/im);
  // The host in the target is not trusted as an origin.
  const forged = await json("http://evil.example/auth/login", "http://evil.example");
  expect(forged.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
  const health = await rawRequest([
    "GET https://evil.example/auth/health?probe=1 HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
  ]);
  expect(health.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
});
