import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { memoryStorage } from "../../src/index.js";
import { github } from "../../src/oauth-providers/index.js";
import { PASSWORD } from "../helpers.js";
import { Browser } from "./browser.js";
import { sessionOf, startApp, type TestApp } from "./harness.js";

/*
 * The GitHub preset against a small stand-in for GitHub's documented endpoints (OAuth apps:
 * `/login/oauth/authorize`, `/login/oauth/access_token`; REST: `GET /user`, `GET /user/emails`).
 * GitHub is plain OAuth 2.0: no ID token, the identity is the numeric user id, and the email is
 * the primary address, verified only when GitHub says so.
 */

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

let app: TestApp;
let gitHub: Awaited<ReturnType<typeof startGitHub>>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** GitHub's endpoints as its docs describe them, for one user whose emails a test sets. */
async function startGitHub(redirectUri: string) {
  const state = {
    user: { id: 583231, login: "octocat", name: "The Octocat" } as Record<string, unknown>,
    emails: [] as GitHubEmail[],
    grants: new Map<string, string>(),
    tokens: new Set<string>(),
    apiRequests: [] as { path: string; headers: IncomingMessage["headers"] }[],
    tokenForms: [] as URLSearchParams[],
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/login/oauth/authorize") {
      const code = crypto.randomUUID();
      state.grants.set(code, url.searchParams.get("code_challenge") ?? "");
      const back = new URL(url.searchParams.get("redirect_uri") ?? redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      state.tokenForms.push(form);
      const code = form.get("code") ?? "";
      // GitHub answers errors with 200 and an error body when asked for JSON.
      if (
        form.get("client_id") !== "gh-client" ||
        form.get("client_secret") !== "gh-secret" ||
        !state.grants.has(code) ||
        form.get("redirect_uri") !== redirectUri
      ) {
        return json(res, 200, { error: "bad_verification_code" });
      }
      state.grants.delete(code);
      const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
      state.tokens.add(token);
      return json(res, 200, {
        access_token: token,
        token_type: "bearer",
        scope: "read:user,user:email",
      });
    }
    state.apiRequests.push({ path: url.pathname, headers: req.headers });
    const bearer = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
    if (!state.tokens.has(bearer)) return json(res, 401, { message: "Bad credentials" });
    if (!req.headers["user-agent"]) return json(res, 403, { message: "User-Agent required" });
    if (url.pathname === "/user") return json(res, 200, state.user);
    if (url.pathname === "/user/emails") return json(res, 200, state.emails);
    json(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

beforeAll(async () => {
  app = await startApp();
  gitHub = await startGitHub(`${app.baseURL}/auth/oauth/github/callback`);
});

afterAll(async () => {
  await app?.close();
  await gitHub?.close();
});

beforeEach(() => {
  gitHub.state.emails = [];
  app.configure({
    storage: memoryStorage(),
    oauth: {
      providers: [
        github({
          clientId: "gh-client",
          clientSecret: "gh-secret",
          serverURL: gitHub.origin,
          apiURL: gitHub.origin,
          allowInsecureIssuerForDevelopment: true,
        }),
      ],
    },
  });
});

async function signIn(browser = new Browser()) {
  const landing = await browser.follow(`${app.baseURL}/auth/oauth/github`, app.isLanding);
  return { landing: landing.url, session: await sessionOf(browser, app) };
}

it("signs up with the verified primary address, the numeric id as the identity", async () => {
  gitHub.state.emails = [
    { email: "octo@users.example.com", primary: false, verified: true },
    { email: "Octocat@Example.com", primary: true, verified: true },
  ];
  const { landing, session } = await signIn();
  expect(landing.href).toBe(`${app.baseURL}/`);
  expect(session?.user).toMatchObject({ email: "octocat@example.com", emailVerified: true });
  const identity = await app.auth.storage.accounts?.find("github", "583231");
  expect(identity?.userId).toBe(session?.user.id);
  expect(await app.auth.storage.users.findById(session?.user.id as string)).toMatchObject({
    name: "The Octocat",
  });
  // The code went with the client's secret in the form, the PKCE verifier and the exact URI.
  const form = gitHub.state.tokenForms.at(-1);
  expect(form?.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The API was called as GitHub asks: bearer token, its media type, a User-Agent.
  const call = gitHub.state.apiRequests.find((request) => request.path === "/user");
  expect(call?.headers.accept).toBe("application/vnd.github+json");
  expect(call?.headers["user-agent"]).toBe("portcullis");
});

it("signs the same GitHub user in again by id, whatever their address is now", async () => {
  gitHub.state.emails = [{ email: "first@example.com", primary: true, verified: true }];
  const first = await signIn();
  gitHub.state.emails = [{ email: "second@example.com", primary: true, verified: true }];
  const again = await signIn();
  expect(again.session?.user.id).toBe(first.session?.user.id);
});

it("never takes an unverified primary address as proof: no link to the account that has it", async () => {
  const owner = await app.auth.api.register({ email: "octocat@example.com", password: PASSWORD });
  await app.auth.storage.users.update(owner.user.id, {
    emailVerified: true,
    updatedAt: new Date(),
  });
  gitHub.state.emails = [{ email: "octocat@example.com", primary: true, verified: false }];
  const { landing, session } = await signIn();
  expect(landing.searchParams.get("error")).toBe("account_exists");
  expect(session).toBeNull();
  expect(await app.auth.api.listLinkedAccounts(owner.user.id)).toEqual([]);
});

it("links to an existing verified account when the primary address is verified", async () => {
  const owner = await app.auth.api.register({ email: "octocat@example.com", password: PASSWORD });
  await app.auth.storage.users.update(owner.user.id, {
    emailVerified: true,
    updatedAt: new Date(),
  });
  gitHub.state.emails = [{ email: "octocat@example.com", primary: true, verified: true }];
  const { session } = await signIn();
  expect(session?.user.id).toBe(owner.user.id);
});

it("refuses a sign-up without any address (no user:email scope), and a bad code", async () => {
  const { landing } = await signIn();
  expect(landing.searchParams.get("error")).toBe("forbidden");
  // A code GitHub does not know: refused with GitHub's error, no session.
  const browser = new Browser();
  const toGitHub = await browser.follow(
    `${app.baseURL}/auth/oauth/github`,
    (url) => url.origin === gitHub.origin,
  );
  const state = toGitHub.url.searchParams.get("state") as string;
  const forged = await browser.follow(
    `${app.baseURL}/auth/oauth/github/callback?code=made-up&state=${state}`,
    app.isLanding,
  );
  expect(forged.url.searchParams.get("error")).toBe("invalid_credentials");
  expect(await sessionOf(browser, app)).toBeNull();
});
