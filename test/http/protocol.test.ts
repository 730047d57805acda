import { describe, expect, it } from "vitest";
import { call, makeAuth, PASSWORD, registered } from "../helpers.js";

describe("request handling", () => {
  it("answers 404 not_found for unknown routes", async () => {
    const { status, json } = await call(makeAuth(), "GET", "/auth/nope");
    expect(status).toBe(404);
    expect(json).toEqual({ error: { code: "not_found", message: "Not found" } });
  });

  it("answers 405 with Allow for a known path with the wrong method", async () => {
    const { status, json, headers } = await call(makeAuth(), "GET", "/auth/login");
    expect(status).toBe(405);
    expect(json?.error.code).toBe("method_not_allowed");
    expect(headers.get("allow")).toBe("POST");
  });

  it("answers 415 for a body that is not JSON", async () => {
    const { status, json } = await call(makeAuth(), "POST", "/auth/login", {
      raw: "email=a@b.c&password=x",
      contentType: "text/plain",
    });
    expect(status).toBe(415);
    expect(json?.error.code).toBe("unsupported_media_type");
  });

  it("answers 400 for malformed JSON", async () => {
    const { status, json } = await call(makeAuth(), "POST", "/auth/login", {
      raw: "{nope",
      contentType: "application/json",
    });
    expect(status).toBe(400);
    expect(json?.error.code).toBe("invalid_request");
  });

  it("answers 413 for a declared or a streamed body over the cap", async () => {
    const auth = makeAuth({ maxBodyBytes: 2048 });
    const big = JSON.stringify({ email: "a@example.com", password: "x".repeat(5000) });
    const declared = await call(auth, "POST", "/auth/login", {
      raw: big,
      contentType: "application/json",
    });
    expect(declared.status).toBe(413);
    // A stream has no Content-Length: the cap must stop it while reading.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1000)));
        controller.close();
      },
    });
    const request = new Request("http://localhost:3000/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const streamed = await auth.handler(request);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe(
      "payload_too_large",
    );
  });

  it("sets no-store, nosniff and no-referrer on success and error responses", async () => {
    const auth = makeAuth();
    for (const path of ["/auth/health", "/auth/nope"]) {
      const { headers } = await call(auth, "GET", path);
      expect(headers.get("cache-control")).toBe("no-store");
      expect(headers.get("x-content-type-options")).toBe("nosniff");
      expect(headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("lets only the public key set be cached", async () => {
    const auth = makeAuth();
    const jwks = await call(auth, "GET", "/auth/jwks");
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get("cache-control")).toBe("public, max-age=300");
    const { cookie } = await registered(auth);
    const session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.headers.get("cache-control")).toBe("no-store");
  });

  it("never leaks an internal error's message or stack", async () => {
    const auth = makeAuth();
    auth.storage.users.findByEmail = async () => {
      throw new Error("password=hunter2 at db.internal:5432");
    };
    const original = console.error;
    console.error = () => {};
    try {
      const { status, json } = await call(auth, "POST", "/auth/login", {
        body: { email: "a@example.com", password: PASSWORD },
      });
      expect(status).toBe(500);
      expect(json).toEqual({ error: { code: "internal", message: "Internal error" } });
    } finally {
      console.error = original;
    }
  });
});

describe("cookies", () => {
  it("on http: HttpOnly, SameSite=Lax, Path=/, not Secure, no __Host- prefix", async () => {
    const { response } = await registered(makeAuth());
    const cookie = response.headers.get("set-cookie") as string;
    expect(cookie).toMatch(/^portcullis\.session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
  });

  it("on https: Secure with the __Host- prefix and no Domain", async () => {
    const auth = makeAuth({ baseURL: "https://app.example.com" });
    const { response } = await registered(auth);
    const cookie = response.headers.get("set-cookie") as string;
    expect(cookie).toMatch(/^__Host-portcullis\.session=/);
    expect(cookie).toContain("Secure");
    expect(cookie).not.toContain("Domain");
  });

  it("on https with a cookie domain: Secure, Domain set, no __Host- prefix", async () => {
    const auth = makeAuth({
      baseURL: "https://app.example.com",
      session: { cookieDomain: "example.com" },
    });
    const { response } = await registered(auth);
    const cookie = response.headers.get("set-cookie") as string;
    expect(cookie).toMatch(/^portcullis\.session=/);
    expect(cookie).toContain("Domain=example.com");
    expect(cookie).toContain("Secure");
  });
});

describe("CSRF", () => {
  it("rejects a cookie-authenticated state change from an untrusted origin", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const attack = await call(auth, "POST", "/auth/sessions/revoke-others", {
      cookie,
      origin: "https://evil.example",
    });
    expect(attack.status).toBe(403);
    expect(attack.json?.error.code).toBe("csrf_rejected");
  });

  it("rejects a cookie request with neither Origin nor Sec-Fetch-Site, and one that is cross-site", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    expect((await call(auth, "POST", "/auth/logout", { cookie, origin: null })).status).toBe(403);
    const crossSite = await call(auth, "POST", "/auth/logout", {
      cookie,
      origin: null,
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });

  it("accepts the app's origin, a trusted origin and Sec-Fetch-Site: same-origin", async () => {
    const auth = makeAuth({ trustedOrigins: ["https://admin.example.com"] });
    const { cookie } = await registered(auth);
    expect((await call(auth, "POST", "/auth/sessions/revoke-others", { cookie })).status).toBe(204);
    expect(
      (
        await call(auth, "POST", "/auth/sessions/revoke-others", {
          cookie,
          origin: "https://admin.example.com",
        })
      ).status,
    ).toBe(204);
    const sameOrigin = await call(auth, "POST", "/auth/sessions/revoke-others", {
      cookie,
      origin: null,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(sameOrigin.status).toBe(204);
  });

  it("rejects login CSRF from a foreign origin, and allows a non-browser client without cookies", async () => {
    const auth = makeAuth();
    await registered(auth);
    const body = { email: "ada@example.com", password: PASSWORD };
    expect(
      (await call(auth, "POST", "/auth/login", { body, origin: "https://evil.example" })).status,
    ).toBe(403);
    expect((await call(auth, "POST", "/auth/login", { body, origin: null })).status).toBe(200);
  });
});

describe("CORS", () => {
  it("answers a trusted origin's preflight with credentials allowed for that origin only", async () => {
    const auth = makeAuth({ trustedOrigins: ["https://admin.example.com"] });
    const preflight = await call(auth, "OPTIONS", "/auth/login", {
      origin: "https://admin.example.com",
      headers: { "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("gives an untrusted origin no CORS headers, and never a wildcard", async () => {
    const auth = makeAuth({ trustedOrigins: ["https://admin.example.com"] });
    const preflight = await call(auth, "OPTIONS", "/auth/login", {
      origin: "https://evil.example",
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const health = await call(auth, "GET", "/auth/health", {
      headers: { origin: "https://admin.example.com" },
    });
    expect(health.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(health.headers.get("vary")).toContain("Origin");
  });
});
