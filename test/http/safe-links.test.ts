import { describe, expect, it } from "vitest";
import type { AuthContext } from "../../src/context/context.js";
import { createHandler } from "../../src/http/handler.js";
import type { Route } from "../../src/http/route.js";
import { routes } from "../../src/http/routes/index.js";
import type { MailMessage } from "../../src/index.js";
import {
  BASE_URL,
  call,
  makeAuth,
  manualClock,
  PASSWORD,
  registered,
  sessionCookieFrom,
} from "../helpers.js";
import { captureMailer, pathOf } from "../mail/fixtures.js";

/*
 * Mail scanners and prefetchers open links with HEAD (and some with GET) before the recipient
 * does. A link must survive that: HEAD never runs a state-changing GET route, and with
 * `magicLink.confirm` a GET consumes nothing until the recipient POSTs the confirmation.
 */

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({
    mailer,
    clock,
    trustedOrigins: ["https://app.example.com"],
    emailVerification: { redirectTo: "/welcome" },
    ...overrides,
  });
  async function magicLink(email = "ada@example.com", body: Record<string, unknown> = {}) {
    const before = mailer.sent.length;
    const response = await call(auth, "POST", "/auth/magic-link", { body: { email, ...body } });
    expect(response.status).toBe(202);
    await auth.api.flushOutbox();
    const mail = mailer.sent[before] as MailMessage;
    const link = new URL(mail.url as string);
    return { mail, link, path: pathOf(link), token: link.searchParams.get("token") as string };
  }
  /** A raw request, for answers that are not JSON (HTML pages, redirects). */
  async function send(method: string, path: string, init: RequestInit = {}) {
    const response = await auth.handler(new Request(`${BASE_URL}${path}`, { method, ...init }));
    return {
      response,
      status: response.status,
      headers: response.headers,
      text: await response.text(),
    };
  }
  return { auth, mailer, clock, magicLink, send };
}

const JSON_ACCEPT = { accept: "application/json" };

async function sessionsOf(auth: ReturnType<typeof makeAuth>, email: string) {
  const user = await auth.storage.users.findByEmail(email);
  return user ? auth.api.listSessions(user.id) : [];
}

function expectInertHead(result: { status: number; headers: Headers; json: unknown }) {
  expect(result.status).toBe(200);
  expect(result.json).toBeNull();
  expect(result.headers.get("set-cookie")).toBeNull();
  expect(result.headers.get("location")).toBeNull();
  expect(result.headers.get("cache-control")).toBe("no-store");
}

describe("HEAD never consumes an emailed link", () => {
  it("magic link: a HEAD (browser-like or JSON) signs nobody in, and the GET that follows signs in once", async () => {
    const { auth, magicLink } = setup();
    const { user } = await registered(auth, "ada@example.com");
    const { path } = await magicLink();
    const heads = [
      await call(auth, "HEAD", path),
      await call(auth, "HEAD", path, { headers: JSON_ACCEPT }),
    ];
    const before = await auth.api.listSessions(user.id);

    const verify = await call(auth, "GET", path);
    expect(verify.headers.get("location")).toBe("http://localhost:3000/");
    expect(verify.status).toBe(302);
    const cookie = sessionCookieFrom(verify.response);
    expect((await call(auth, "GET", "/auth/session", { cookie })).json?.user.id).toBe(user.id);
    const after = await auth.api.listSessions(user.id);
    // The HEADs opened no session; the GET opened exactly one.
    expect(after.filter((s) => !before.some((b) => b.id === s.id))).toHaveLength(1);
    for (const head of heads) expectInertHead(head);

    const again = await call(auth, "GET", path, { headers: JSON_ACCEPT });
    expect(again.json?.error.code).toBe("token_invalid");
  });

  it("magic link for an unknown address: a HEAD creates no account", async () => {
    const { auth, magicLink } = setup();
    const { path } = await magicLink("new@example.com");
    const head = await call(auth, "HEAD", path);
    expect(await auth.storage.users.findByEmail("new@example.com")).toBeNull();
    const verify = await call(auth, "GET", path);
    expect(verify.headers.get("location")).toBe("http://localhost:3000/");
    expect(await auth.storage.users.findByEmail("new@example.com")).not.toBeNull();
    expectInertHead(head);
  });

  it("email verification: a HEAD verifies nothing, the GET that follows verifies", async () => {
    const { auth, mailer } = setup({
      emailVerification: { sendOnRegister: true, redirectTo: "/welcome" },
    });
    await registered(auth, "ada@example.com");
    const stored = () => auth.storage.users.findByEmail("ada@example.com");
    await auth.api.flushOutbox();
    const path = pathOf(new URL(mailer.sent.at(-1)?.url as string));
    expect(path).toMatch(/^\/auth\/email\/verify\?token=/);

    const heads = [
      await call(auth, "HEAD", path),
      await call(auth, "HEAD", path, { headers: JSON_ACCEPT }),
    ];
    expect((await stored())?.emailVerified).toBe(false);

    const verify = await call(auth, "GET", path);
    expect(verify.headers.get("location")).toBe("http://localhost:3000/welcome");
    expect((await stored())?.emailVerified).toBe(true);
    for (const head of heads) expectInertHead(head);
  });

  it("email change: a HEAD moves nothing, the GET that follows confirms", async () => {
    const { auth, mailer } = setup({ session: { freshAge: 300 } });
    const { cookie, user } = await registered(auth, "ada@example.com");
    const stored = () => auth.storage.users.findById(user.id);
    const requested = await call(auth, "POST", "/auth/email/change", {
      cookie,
      body: { newEmail: "ada@new.example", currentPassword: PASSWORD },
    });
    expect(requested.status).toBe(202);
    await auth.api.flushOutbox();
    const confirm = mailer.sent.find((mail) => mail.type === "email-change") as MailMessage;
    expect(confirm.to).toBe("ada@new.example");
    const path = pathOf(new URL(confirm.url as string));

    const heads = [
      await call(auth, "HEAD", path),
      await call(auth, "HEAD", path, { headers: JSON_ACCEPT }),
    ];
    expect((await stored())?.email).toBe("ada@example.com");

    const verify = await call(auth, "GET", path);
    expect(verify.headers.get("location")).not.toContain("error=");
    expect(verify.status).toBe(302);
    expect((await stored())?.email).toBe("ada@new.example");
    for (const head of heads) expectInertHead(head);
  });

  it("HEAD still runs read-only GET routes as before", async () => {
    const { auth } = setup();
    const { cookie } = await registered(auth, "ada@example.com");
    expect((await call(auth, "HEAD", "/auth/session")).status).toBe(401);
    const head = await call(auth, "HEAD", "/auth/session", { cookie });
    expect(head.status).toBe(200);
    expect(head.json).toBeNull();
    expect(head.headers.get("content-type")).toContain("application/json");
  });

  it("is one rule of the handler: a HEAD to any route flagged changesState never runs it", async () => {
    const auth = makeAuth();
    const ran: string[] = [];
    const custom: Route[] = [
      {
        method: "GET",
        path: "/links/use",
        changesState: true,
        async handle({ request }) {
          ran.push(request.method);
          return new Response("used", { status: 200 });
        },
      },
    ];
    const ctx = { config: auth.config, now: () => new Date() } as unknown as AuthContext;
    const handler = createHandler(ctx, custom);
    const head = await handler(new Request(`${BASE_URL}/auth/links/use`, { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-control")).toBe("no-store");
    expect(ran).toEqual([]);
    const get = await handler(new Request(`${BASE_URL}/auth/links/use`));
    expect(await get.text()).toBe("used");
    expect(ran).toEqual(["GET"]);
  });

  it("every emailed-link GET route carries the flag", () => {
    const linkRoutes = routes.filter(
      (route) => route.method === "GET" && /\/(verify|cancel|confirm)$/.test(route.path),
    );
    expect(linkRoutes.map((route) => route.path)).toEqual(
      expect.arrayContaining(["/magic-link/verify", "/email/verify", "/email/change/verify"]),
    );
    for (const route of linkRoutes)
      expect([route.path, route.changesState]).toEqual([route.path, true]);
  });
});

describe("magicLink.confirm", () => {
  const confirming = (magicLink: Record<string, unknown> = {}) =>
    setup({ magicLink: { confirm: true, ...magicLink } });

  it("a GET from a browser consumes nothing and answers a same-origin form that POSTs the token", async () => {
    const { auth, magicLink, send } = confirming();
    const { path, token } = await magicLink();
    const page = await send("GET", path);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("set-cookie")).toBeNull();
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('<form method="post" action="/auth/magic-link/verify">');
    expect(page.text).toContain(`<input type="hidden" name="token" value="${token}">`);
    // The page's own Referrer-Policy keeps Origin on the same-origin POST (no-referrer would null it).
    expect(page.text).toContain('<meta name="referrer" content="strict-origin">');
    expect(page.text).not.toMatch(/<script|src=|https?:\/\//i);
    expect(await auth.storage.users.findByEmail("ada@example.com")).toBeNull();

    // The browser submits the form: same origin, so it carries Origin.
    const posted = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toBe("http://localhost:3000/");
    expect(sessionCookieFrom(posted.response)).toContain("portcullis.session=");
    expect(await sessionsOf(auth, "ada@example.com")).toHaveLength(1);

    const reposted = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(reposted.status).toBe(302);
    expect(reposted.headers.get("location")).toBe("http://localhost:3000/?error=token_invalid");
    expect(reposted.headers.get("set-cookie")).toBeNull();
  });

  it("a JSON GET and a HEAD consume nothing; the JSON POST signs in exactly once", async () => {
    const { auth, magicLink } = confirming();
    const { path, token } = await magicLink("new@example.com");
    const get = await call(auth, "GET", path, { headers: JSON_ACCEPT });
    expect(get.status).toBe(200);
    expect(get.json).toEqual({ confirmRequired: true });
    expect(get.headers.get("set-cookie")).toBeNull();
    expectInertHead(await call(auth, "HEAD", path));
    expect(await auth.storage.users.findByEmail("new@example.com")).toBeNull();

    const first = await call(auth, "POST", "/auth/magic-link/verify", { body: { token } });
    expect(first.status).toBe(200);
    expect(first.json?.user.email).toBe("new@example.com");
    expect(sessionCookieFrom(first.response)).toContain("portcullis.session=");
    const second = await call(auth, "POST", "/auth/magic-link/verify", { body: { token } });
    expect(second.status).toBe(401);
    expect(second.json?.error.code).toBe("token_invalid");
    expect(await sessionsOf(auth, "new@example.com")).toHaveLength(1);
  });

  it("of concurrent POSTs of one token, exactly one signs in", async () => {
    const { auth, magicLink } = confirming();
    const { token } = await magicLink("ada@example.com");
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(auth, "POST", "/auth/magic-link/verify", { body: { token } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await sessionsOf(auth, "ada@example.com")).toHaveLength(1);
  });

  it("keeps redirectTo through the page, allowlisted when the POST uses it", async () => {
    const { magicLink, send } = confirming();
    const { path, token } = await magicLink();
    const page = await send(
      "GET",
      `${path}&redirectTo=${encodeURIComponent("https://app.example.com/in")}`,
    );
    expect(page.text).toContain(
      '<input type="hidden" name="redirectTo" value="https://app.example.com/in">',
    );
    const posted = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL },
      body: new URLSearchParams({ token, redirectTo: "https://evil.com/" }).toString(),
    });
    expect(posted.headers.get("location")).toBe("http://localhost:3000/");
  });

  it("escapes what it echoes into the page", async () => {
    const { magicLink, send } = confirming();
    const { path } = await magicLink();
    const hostile = "\"><script>alert(1)</script><x a='";
    const page = await send("GET", `${path}&redirectTo=${encodeURIComponent(hostile)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("<script>");
    expect(page.text).toContain("&quot;&gt;&lt;script&gt;");
    const forged = await send(
      "GET",
      `/auth/magic-link/verify?token=${encodeURIComponent('"><b>x</b>')}`,
    );
    expect(forged.text).not.toContain("<b>");
  });

  it("refuses a cross-site POST (CSRF) and leaves the token valid", async () => {
    const { auth, magicLink, send } = confirming();
    const { token } = await magicLink();
    const planted = (await registered(auth, "mallory@example.com")).cookie;
    const body = new URLSearchParams({ token }).toString();
    const form = "application/x-www-form-urlencoded";
    const crossSite = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": form, origin: "https://evil.com", cookie: planted },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.text).error.code).toBe("csrf_rejected");
    const nullOrigin = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": form, origin: "null", cookie: planted },
      body,
    });
    expect(nullOrigin.status).toBe(403);
    expect(await sessionsOf(auth, "ada@example.com")).toHaveLength(0);
    const sameSite = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": form, origin: BASE_URL, cookie: planted },
      body,
    });
    expect(sameSite.status).toBe(302);
    // The planted session is ended by the sign-in (fixation).
    expect((await call(auth, "GET", "/auth/session", { cookie: planted })).status).toBe(401);
  });

  it("sends the browser to magicLink.confirmPage when one is configured", async () => {
    const { magicLink, send } = confirming({
      confirmPage: "https://app.example.com/confirm-sign-in",
    });
    const { path, token } = await magicLink();
    const page = await send("GET", `${path}&redirectTo=%2Fdashboard`);
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get("location") as string);
    expect(`${location.origin}${location.pathname}`).toBe(
      "https://app.example.com/confirm-sign-in",
    );
    expect(location.searchParams.get("token")).toBe(token);
    expect(location.searchParams.get("redirectTo")).toBe("/dashboard");
    expect(page.headers.get("set-cookie")).toBeNull();
    // The app's page then POSTs the token (JSON here, from its own origin).
    const posted = await send("POST", "/auth/magic-link/verify", {
      headers: { "content-type": "application/json", origin: "https://app.example.com" },
      body: JSON.stringify({ token }),
    });
    expect(posted.status).toBe(200);
  });

  it("refuses a confirmPage off the allowlist at startup, naming the option", async () => {
    expect(() => confirming({ confirmPage: "https://evil.com/confirm" })).toThrow(
      /magicLink\.confirmPage/,
    );
  });
});

describe("POST /auth/magic-link/verify without confirm", () => {
  it("signs in like the GET, and the GET stays one-click", async () => {
    const { auth, magicLink } = setup();
    const one = await magicLink();
    const posted = await call(auth, "POST", "/auth/magic-link/verify", {
      body: { token: one.token },
    });
    expect(posted.status).toBe(200);
    expect(posted.json?.user.email).toBe("ada@example.com");
    const two = await magicLink();
    const get = await call(auth, "GET", two.path);
    expect(get.status).toBe(302);
    expect(sessionCookieFrom(get.response)).toContain("portcullis.session=");
  });

  it("answers invalid_request to a body that is not an object", async () => {
    const { auth } = setup();
    const posted = await call(auth, "POST", "/auth/magic-link/verify", { body: ["x"] });
    expect(posted.status).toBe(400);
  });
});

describe("magic-link lifetime", () => {
  it("defaults to 10 minutes, and the mail says so", async () => {
    const { auth, clock, magicLink } = setup();
    expect(auth.resolved.magicLink.ttl).toBe(600);
    const early = await magicLink();
    const late = await magicLink();
    expect(early.mail.text).toContain("10 minutes");
    clock.advance(10 * 60 - 1);
    expect((await call(auth, "GET", early.path, { headers: JSON_ACCEPT })).status).toBe(200);
    clock.advance(2);
    const expired = await call(auth, "GET", late.path, { headers: JSON_ACCEPT });
    expect(expired.json?.error.code).toBe("token_invalid");
  });
});
