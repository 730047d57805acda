import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { sendWebResponse, toWebRequest } from "../../adapters/node-http/index.js";
import type { AuthConfig, AuthEvent, OAuthProvider } from "../../src/index.js";
import { oidc } from "../../src/oauth-providers/index.js";
import type { Logger } from "../../src/util/logger.js";
import { makeAuth } from "../helpers.js";
import type { Browser, Visit } from "./browser.js";

/*
 * The pieces the OAuth tests run over real HTTP on loopback: the app (`auth.handler` behind a
 * Node server) and oidc-provider, the certified OpenID Provider, as the identity provider, with
 * its development login and consent pages driven like a person would.
 */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export type TestAuth = ReturnType<typeof makeAuth>;

/** A logger that prints nothing and keeps what was warned (and worse). */
function quietLogger(warnings: unknown[][]): Logger {
  const keep = (...args: unknown[]) => {
    warnings.push(args);
  };
  return { debug() {}, info() {}, warn: keep, error: keep };
}

/** The app: listening first (its URL goes into the provider's client), configured after. */
export async function startApp() {
  let auth: TestAuth | null = null;
  const warnings: unknown[][] = [];
  const events: AuthEvent[] = [];
  const server = createServer(async (req, res) => {
    try {
      if (!auth) throw new Error("the app has no auth yet");
      const request = toWebRequest(req, new URL(req.url ?? "/", baseURL).href);
      const response = await auth.handler(request, { clientIP: req.socket.remoteAddress });
      await sendWebResponse(res, response);
    } catch (error) {
      console.error(error);
      res.writeHead(500).end();
    }
  });
  const baseURL = await listen(server);
  return {
    baseURL,
    /**
     * Configures the app's auth (a test may swap it): quiet, its warnings kept in `warnings`,
     * its events in `events`, the per-IP limits raised for walks.
     */
    configure(overrides: Partial<AuthConfig>): TestAuth {
      warnings.length = 0;
      events.length = 0;
      auth = makeAuth({
        baseURL,
        rateLimit: { perIP: { max: 10_000 } },
        logger: quietLogger(warnings),
        ...overrides,
      });
      auth.on("*", (event) => {
        events.push(event);
      });
      return auth;
    },
    warnings,
    events,
    get auth(): TestAuth {
      if (!auth) throw new Error("configure the app first");
      return auth;
    },
    /** Whether a URL is a page of the app outside the auth routes: where a walk lands. */
    isLanding: (url: URL) => url.origin === baseURL && !url.pathname.startsWith("/auth/"),
    close: () => closeServer(server),
  };
}

export type TestApp = Awaited<ReturnType<typeof startApp>>;

/** A person at the identity provider: what its ID token and userinfo say of them. */
export interface IdpUser {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export const CLIENT_SECRET = "a-client-secret-that-is-long-enough-for-hs256-use";

/**
 * oidc-provider on loopback (http, so the app needs `allowInsecureIssuerForDevelopment`), with
 * one confidential client per redirect URI given. Its users are `users`, by login name (which is
 * also their `sub`); change the map to change what it asserts next time.
 */
export async function startIdp(options: {
  clients: { clientId: string; redirectUri: string }[];
  users: Record<string, IdpUser>;
}) {
  const server = createServer();
  const issuer = await listen(server);
  const users = new Map(Object.entries(options.users));
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: CLIENT_SECRET,
      redirect_uris: [client.redirectUri],
    })),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...(user.email ? { email: user.email, email_verified: user.emailVerified === true } : {}),
          ...(user.name ? { name: user.name } : {}),
        }),
      };
    },
    // PKCE on every request: the library must send it.
    pkce: { required: () => true },
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  });
  server.on("request", provider.callback());
  return { issuer, users, close: () => closeServer(server) };
}

/** The generic `oidc()` provider of the app pointing at a test identity provider. */
export function idpProvider(id: string, issuer: string, clientId = "portcullis"): OAuthProvider {
  return oidc({
    id,
    name: `Test IdP ${id}`,
    issuer,
    clientId,
    clientSecret: CLIENT_SECRET,
    allowInsecureIssuerForDevelopment: true,
  });
}

const formAction = (visit: Visit) => {
  const action = /<form[^>]*action="([^"]+)"/.exec(visit.body)?.[1];
  if (!action) throw new Error(`no form on ${visit.url.href}: ${visit.body.slice(0, 300)}`);
  return new URL(action.replace(/&amp;/g, "&"), visit.url);
};

/**
 * Walks from `start` through the identity provider as `login` (its login page, then its
 * consent page, each only when it shows one) until a redirect `stop` accepts: by default the
 * app's landing page. Returns that redirect (its `url` is where it points, not fetched).
 */
export async function walk(
  browser: Browser,
  start: string | URL,
  login: string,
  stop: (url: URL) => boolean,
): Promise<Visit> {
  let visit = await browser.follow(start, stop);
  for (let step = 0; step < 4; step++) {
    if (stop(visit.url) || visit.response.status !== 200) return visit;
    if (visit.body.includes('name="prompt" value="login"')) {
      visit = await browser.follow(formAction(visit), stop, {
        form: { prompt: "login", login, password: "any password" },
      });
    } else if (visit.body.includes('name="prompt" value="consent"')) {
      visit = await browser.follow(formAction(visit), stop, { form: { prompt: "consent" } });
    } else {
      return visit;
    }
  }
  return visit;
}

/** The app's session for this browser, as `GET /auth/session` answers it. */
export async function sessionOf(browser: Browser, app: TestApp) {
  const visit = await browser.request(`${app.baseURL}/auth/session`, {
    headers: { accept: "application/json" },
  });
  return visit.response.status === 200
    ? (JSON.parse(visit.body) as { user: { id: string; email: string; emailVerified: boolean } })
    : null;
}

/** Why the app's log says sign-ins were refused (the log's reasons, never the browser's). */
export function loggedReasons(app: TestApp): string {
  return app.warnings
    .map((record) => (record[0] as { reason?: string } | undefined)?.reason)
    .filter(Boolean)
    .join("; ");
}
