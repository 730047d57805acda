import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUTH_ERROR_STATUS } from "../src/index.js";
import { makeAuth } from "./helpers.js";

const auth = makeAuth();
const codes = new Set(Object.keys(AUTH_ERROR_STATUS));
const paths = [
  "/auth/register",
  "/auth/login",
  "/auth/logout",
  "/auth/session",
  "/auth/sessions",
  "/auth/sessions/x",
  "/auth/password/change",
  "/auth/ready",
  "/auth/",
];
const methods = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"];

const anyJson = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
);
const headerValue = fc.string({ maxLength: 200 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s));

describe("no input escapes the error shape", () => {
  it("handler: every response is a success or { error: { code, message } } with a known code", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.oneof(
          fc.constantFrom(...paths),
          fc.webPath().map((p) => `/auth${p}`),
        ),
        anyJson,
        fc.record(
          {
            cookie: headerValue,
            authorization: headerValue,
            origin: headerValue,
            "content-type": fc.constantFrom(
              "application/json",
              "text/plain",
              "",
              "application/x-www-form-urlencoded",
            ),
          },
          { requiredKeys: [] },
        ),
        async (method, path, body, headers) => {
          const init: RequestInit = {
            method,
            headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== "")),
          };
          if (method !== "GET" && method !== "HEAD") init.body = body;
          let request: Request;
          try {
            request = new Request(`http://localhost:3000${path}`, init);
          } catch {
            return; // not a request any runtime would deliver
          }
          const response = await auth.handler(request);
          if (response.status >= 400) {
            if (method === "HEAD") return;
            const json = (await response.json()) as { error: { code: string; message: string } };
            expect(codes.has(json.error.code)).toBe(true);
            expect(response.status).toBe(
              AUTH_ERROR_STATUS[json.error.code as keyof typeof AUTH_ERROR_STATUS],
            );
            expect(typeof json.error.message).toBe("string");
            expect(json.error.code).not.toBe("internal");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("authenticate: any headers give null or a result, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom("cookie", "authorization", "Cookie", "x"),
          fc.oneof(headerValue, fc.array(headerValue)),
        ),
        async (headers) => {
          await expect(auth.authenticate(headers)).resolves.toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
