import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokenVerifier } from "../../src/verify/index.js";
import { skipOrFail } from "../faults/free-port.js";
import { makeAuth, PASSWORD, registered } from "../helpers.js";
import { passwordTokens } from "./helpers.js";
import { serveOver } from "./served.js";

/*
 * Discovery (RFC 8414, and the OpenID location) with clients nobody here wrote, over real HTTP:
 * oauth4webapi finds the server from the issuer alone and uses the endpoints it names, jose's
 * remote key set and portcullis/verify follow `jwks_uri`, and (when Debian's python3-jwt is
 * there) PyJWT's PyJWKClient does the same from Python.
 */

type Served = Awaited<ReturnType<typeof serveOver<ReturnType<typeof makeAuth>["handler"]>>>;

let served: Served;
let auth: ReturnType<typeof makeAuth>;

beforeAll(async () => {
  served = await serveOver((url) => {
    auth = makeAuth({ baseURL: url });
    return auth.handler;
  });
  await registered(auth);
});

afterAll(() => served.close());

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function getJson(url: string) {
  const response = await fetch(url);
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe("the metadata document", () => {
  it("is served at the site-root URIs of the issuer and below basePath, the same everywhere", async () => {
    const { url } = served;
    const paths = [
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
      "/auth/.well-known/oauth-authorization-server",
      "/auth/.well-known/openid-configuration",
    ];
    const documents = await Promise.all(paths.map((path) => getJson(`${url}${path}`)));
    for (const { response } of documents) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    }
    for (const { json } of documents) expect(json).toEqual(documents[0]?.json);
    expect(documents[0]?.json).toEqual({
      issuer: url,
      token_endpoint: `${url}/auth/token`,
      jwks_uri: `${url}/auth/jwks`,
      revocation_endpoint: `${url}/auth/token/revoke`,
      grant_types_supported: ["password", "refresh_token", "mfa_otp"],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
    });
  });

  it("names the issuer exactly as the iss of access tokens", async () => {
    const { json } = await getJson(`${served.url}/.well-known/oauth-authorization-server`);
    const tokens = await passwordTokens(auth);
    const payload = JSON.parse(
      Buffer.from(tokens.access_token.split(".")[1] as string, "base64url").toString(),
    );
    expect(json.issuer).toBe(payload.iss);
  });

  it("answers only GET and HEAD there, and nothing else at the site root", async () => {
    const head = await fetch(`${served.url}/.well-known/oauth-authorization-server`, {
      method: "HEAD",
    });
    expect(head.status).toBe(200);
    const post = await fetch(`${served.url}/.well-known/oauth-authorization-server`, {
      method: "POST",
    });
    expect(post.status).toBe(405);
    for (const path of [
      "/.well-known/other",
      "/.well-known/oauth-authorization-server/x",
      "/jwks",
    ]) {
      expect((await fetch(`${served.url}${path}`)).status, path).toBe(404);
    }
  });

  it("puts an issuer's path where RFC 8414 §3.1 and OpenID Discovery §4 put it", async () => {
    for (const [baseURL, rfc8414, openid] of [
      [
        "https://auth.example.com/tenant",
        "/.well-known/oauth-authorization-server/tenant",
        "/tenant/.well-known/openid-configuration",
      ],
      [
        "https://auth.example.com/",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
      ],
    ] as const) {
      const tenant = makeAuth({ baseURL });
      const get = (path: string) =>
        tenant.handler(new Request(`https://auth.example.com${path}`)).then(async (r) => ({
          status: r.status,
          json: r.status === 200 ? await r.json() : null,
        }));
      for (const path of [rfc8414, openid, "/auth/.well-known/oauth-authorization-server"]) {
        const answer = await get(path);
        expect(answer.status, path).toBe(200);
        expect(answer.json.issuer).toBe(baseURL);
        expect(answer.json.token_endpoint).toBe("https://auth.example.com/auth/token");
      }
      if (baseURL.endsWith("/tenant")) {
        expect((await get("/.well-known/oauth-authorization-server")).status).toBe(404);
        expect((await get("/.well-known/openid-configuration")).status).toBe(404);
      }
    }
  });
});

describe("clients configured with only the issuer", () => {
  it("oauth4webapi discovers the server (RFC 8414 and OpenID locations) and gets tokens", async () => {
    const issuer = new URL(served.url);
    for (const algorithm of ["oauth2", "oidc"] as const) {
      const response = await oauth.discoveryRequest(issuer, { algorithm, ...insecure });
      const as = await oauth.processDiscoveryResponse(issuer, response);
      expect(as.token_endpoint).toBe(`${served.url}/auth/token`);
    }
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    const client = { client_id: "my-cli" };
    const granted = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.None(),
        "password",
        { username: "ada@example.com", password: PASSWORD },
        insecure,
      ),
    );
    expect(granted.token_type).toBe("bearer");
    // RFC 9068 validated by oauth4webapi: typ at+jwt, iss against the metadata, the keys from its
    // jwks_uri, and every claim §2.2 requires, client_id included.
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${served.url}/api`, {
        headers: { authorization: `Bearer ${granted.access_token}` },
      }),
      served.url,
      insecure,
    );
    expect(claims).toMatchObject({ iss: served.url, aud: served.url, client_id: "portcullis" });
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(
        as,
        client,
        oauth.None(),
        granted.refresh_token as string,
        insecure,
      ),
    );
    expect(refreshed.access_token).not.toBe(granted.access_token);
    const revoked = await oauth.revocationRequest(
      as,
      client,
      oauth.None(),
      refreshed.refresh_token as string,
      insecure,
    );
    await expect(oauth.processRevocationResponse(revoked)).resolves.toBeUndefined();
  });

  it("jose's remote key set and portcullis/verify follow jwks_uri from the metadata", async () => {
    const { json } = await getJson(`${served.url}/.well-known/oauth-authorization-server`);
    const issuer = json.issuer as string;
    const jwksUri = json.jwks_uri as string;
    const { access_token } = await passwordTokens(auth);
    const { payload, protectedHeader } = await jwtVerify(
      access_token,
      createRemoteJWKSet(new URL(jwksUri)),
      { issuer, audience: served.url, typ: "at+jwt" },
    );
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload.client_id).toBe("portcullis");
    const verify = createAccessTokenVerifier({ jwks: jwksUri, issuer, audience: served.url });
    await expect(verify(access_token)).resolves.toMatchObject({ sub: payload.sub });
  });
});

describe("the site-root routes of the README, in each framework", () => {
  // The README's snippets (section "Discovery"), as written there.
  const WELL_KNOWN = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
  ];
  const tenant = makeAuth({ baseURL: "http://localhost:3000" });

  async function expectServed(url: string) {
    for (const path of WELL_KNOWN) {
      const answer = await fetch(`${url}${path}`);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await answer.json()) as { issuer: string }).issuer).toBe("http://localhost:3000");
    }
  }

  function listening(server: import("node:http").Server): Promise<string> {
    return new Promise((resolve) => {
      const address = () => `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      if (server.listening) resolve(address());
      else server.once("listening", () => resolve(address()));
    });
  }

  it("Express", async () => {
    const auth = tenant;
    const app = express();
    app.get(WELL_KNOWN, async (req, res) => {
      const answer = await auth.handler(new Request(new URL(req.originalUrl, auth.config.origin)));
      res
        .status(answer.status)
        .set(Object.fromEntries(answer.headers))
        .send(await answer.text());
    });
    const server = app.listen(0, "127.0.0.1");
    try {
      await expectServed(await listening(server));
    } finally {
      server.close();
    }
  });

  it("Fastify", async () => {
    const auth = tenant;
    const app = Fastify();
    for (const path of WELL_KNOWN) {
      app.get(path, async (request, reply) => {
        const answer = await auth.handler(new Request(new URL(request.url, auth.config.origin)));
        return reply
          .code(answer.status)
          .headers(Object.fromEntries(answer.headers))
          .send(await answer.text());
      });
    }
    try {
      await expectServed(await app.listen({ port: 0, host: "127.0.0.1" }));
    } finally {
      await app.close();
    }
  });

  it("Hono", async () => {
    const auth = tenant;
    const app = new Hono();
    app.get("/.well-known/*", (c) => auth.handler(c.req.raw));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    try {
      await expectServed(await listening(server as import("node:http").Server));
    } finally {
      server.close();
    }
  });
});

// Debian's interpreter: a pyenv or venv `python3` earlier on the PATH lacks Debian's packages.
const PYTHON =
  process.env.PORTCULLIS_TEST_PYTHON ??
  (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const run = promisify(execFile);

/** PyJWT from the issuer alone: the metadata, then PyJWKClient on its jwks_uri; the token on stdin. */
const PYJWT_SCRIPT = `
import json, sys, urllib.request
import jwt
issuer, audience = sys.argv[1], sys.argv[2]
token = sys.stdin.read()
with urllib.request.urlopen(issuer + "/.well-known/oauth-authorization-server") as response:
    metadata = json.load(response)
assert metadata["issuer"] == issuer, metadata
key = jwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(token)
claims = jwt.decode(
    token, key.key, algorithms=["EdDSA", "ES256", "RS256"], audience=audience, issuer=issuer,
    options={"require": ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]},
)
print(json.dumps({"typ": jwt.get_unverified_header(token)["typ"], "claims": claims}))
`;

async function pyjwtReady(): Promise<boolean> {
  try {
    await run(PYTHON, ["-c", "import jwt, cryptography; jwt.PyJWKClient"]);
    return true;
  } catch {
    return skipOrFail(
      `${PYTHON} with PyJWT and cryptography (apt-get install python3-jwt python3-cryptography)`,
      "test/tokens/discovery.test.ts PyJWT interop",
    );
  }
}

const pyjwt = await pyjwtReady();

describe.skipIf(!pyjwt)(`PyJWT's PyJWKClient, configured with the issuer (${PYTHON})`, () => {
  function pyjwtVerify(token: string, audience: string) {
    const child = run(PYTHON, ["-c", PYJWT_SCRIPT, served.url, audience]);
    child.child.stdin?.end(token);
    return child.then(({ stdout }) => JSON.parse(stdout));
  }

  it("verifies an access token: keys from the discovered jwks_uri, RFC 9068 claims present", async () => {
    const { access_token } = await passwordTokens(auth);
    const verified = await pyjwtVerify(access_token, served.url);
    expect(verified.typ).toBe("at+jwt");
    expect(verified.claims).toMatchObject({ iss: served.url, client_id: "portcullis" });
  });

  it("refuses a token for another audience", async () => {
    const { access_token } = await passwordTokens(auth);
    await expect(pyjwtVerify(access_token, "https://api.elsewhere.example")).rejects.toThrow(
      /InvalidAudienceError/,
    );
  });
});
