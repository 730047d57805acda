import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { github } from "../../src/oauth-providers/index.js";
import { call, makeAuth, registered } from "../helpers.js";

/*
 * The `/auth/oauth/*` routes through the handler alone (GitHub's endpoints are given, so
 * starting needs no network): what is served when, the state cookie's attributes, the HEAD and
 * form_post rules, and what an unknown provider or a failed start answers.
 */

const providers = [github({ clientId: "gh-client", clientSecret: "gh-secret" })];
const json = { accept: "application/json" };

describe("the routes", () => {
  it("answer 404 while oauth is not configured", async () => {
    const auth = makeAuth();
    expect((await call(auth, "GET", "/auth/oauth/github", { headers: json })).status).toBe(404);
    const { cookie } = await registered(auth);
    expect((await call(auth, "GET", "/auth/oauth/accounts", { cookie })).status).toBe(404);
    const callback = await call(auth, "POST", "/auth/oauth/github/callback", {
      raw: "code=x&state=y",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(callback.status).toBe(404);
  });

  it("start with a redirect to the provider and the state cookie, or { url } for JSON", async () => {
    const auth = makeAuth({ oauth: { providers } });
    const started = await call(auth, "GET", "/auth/oauth/github?redirectTo=/home");
    expect(started.status).toBe(302);
    const location = new URL(started.headers.get("location") as string);
    expect(location.origin + location.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(location.searchParams.get("redirect_uri")).toBe(
      "http://localhost:3000/auth/oauth/github/callback",
    );
    // Plain OAuth 2.0: no nonce, PKCE all the same.
    expect(location.searchParams.has("nonce")).toBe(false);
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(started.headers.get("set-cookie")).toMatch(
      /^portcullis\.session\.oauth=v1\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/auth; HttpOnly; SameSite=Lax$/,
    );
    const asJSON = await call(auth, "GET", "/auth/oauth/github", { headers: json });
    expect(asJSON.status).toBe(200);
    expect(asJSON.json?.url).toMatch(/^https:\/\/github\.com\/login\/oauth\/authorize\?/);
    expect(asJSON.headers.get("set-cookie")).toMatch(/^portcullis\.session\.oauth=/);
  });

  it("give the state cookie the __Host- prefix (Path=/, Secure) over https", async () => {
    const auth = makeAuth({ baseURL: "https://app.example.com", oauth: { providers } });
    const started = await call(auth, "GET", "/auth/oauth/github");
    expect(started.headers.get("set-cookie")).toMatch(
      /^__Host-portcullis\.session\.oauth=v1\.[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("answer a HEAD of the start without starting anything", async () => {
    const auth = makeAuth({ oauth: { providers } });
    const head = await call(auth, "HEAD", "/auth/oauth/github");
    expect(head.status).toBe(200);
    expect(head.headers.get("set-cookie")).toBeNull();
    expect(head.headers.get("location")).toBeNull();
  });

  it("send a browser back to the app with ?error= when a start fails; JSON clients get the error", async () => {
    const auth = makeAuth({ oauth: { providers }, rateLimit: { perIP: { max: 1, window: 60 } } });
    const unknown = await call(auth, "GET", "/auth/oauth/nope?redirectTo=/login");
    expect(unknown.status).toBe(302);
    expect(unknown.headers.get("location")).toBe("http://localhost:3000/login?error=not_found");
    const limited = await call(auth, "GET", "/auth/oauth/github", { clientIP: "203.0.113.9" });
    expect(limited.status).toBe(302);
    const again = await call(auth, "GET", "/auth/oauth/github", { clientIP: "203.0.113.9" });
    expect(again.headers.get("location")).toBe("http://localhost:3000/?error=rate_limited");
    const limitedJSON = await call(auth, "GET", "/auth/oauth/github", {
      clientIP: "203.0.113.9",
      headers: json,
    });
    expect(limitedJSON.status).toBe(429);
    expect(limitedJSON.json?.error.code).toBe("rate_limited");
  });

  it("turn a provider's form_post into a GET of the callback, whoever posts it, forwarding only the answer", async () => {
    const auth = makeAuth({ oauth: { providers } });
    const posted = await call(auth, "POST", "/auth/oauth/github/callback", {
      raw: "code=c0de&state=st4te&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth&user=%7B%7D&redirect_uri=https%3A%2F%2Fevil.example",
      contentType: "application/x-www-form-urlencoded",
      origin: "https://appleid.apple.com",
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("set-cookie")).toBeNull();
    const next = new URL(posted.headers.get("location") as string);
    expect(next.origin + next.pathname).toBe("http://localhost:3000/auth/oauth/github/callback");
    expect(Object.fromEntries(next.searchParams)).toEqual({
      code: "c0de",
      state: "st4te",
      iss: "https://github.com/login/oauth",
    });
    // Only a form: what providers post.
    const asJSON = await call(auth, "POST", "/auth/oauth/github/callback", { body: { code: "x" } });
    expect(asJSON.status).toBe(415);
  });

  it("keep the identities and unlinking for signed-in users", async () => {
    const auth = makeAuth({ oauth: { providers } });
    expect((await call(auth, "GET", "/auth/oauth/accounts")).status).toBe(401);
    expect((await call(auth, "DELETE", "/auth/oauth/accounts/some-id")).status).toBe(401);
    expect((await call(auth, "POST", "/auth/oauth/github/link", { body: {} })).status).toBe(401);
  });
});

describe("portcullis/oauth", () => {
  it("bundles the presets with jose alone: no flow, no oauth4webapi, no zod", async () => {
    const result = await build({
      entryPoints: ["src/oauth-providers/index.ts"],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const ours = Object.keys(result.metafile.inputs).filter(
      (path) => !path.includes("node_modules/jose/"),
    );
    for (const path of ours) {
      expect(path).toMatch(/^src\/(oauth-providers\/[a-z0-9-]+\.ts|config-error\.ts)$/);
    }
  });
});
