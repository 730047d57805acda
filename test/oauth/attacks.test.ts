import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/index.js";
import { Browser, type Visit } from "./browser.js";
import {
  idpProvider,
  loggedReasons,
  sessionOf,
  startApp,
  startIdp,
  type TestApp,
  walk,
} from "./harness.js";

/*
 * The attacks on the callback (RFC 9700 §4), against the real identity provider: a replayed
 * callback, state moved between providers or between browsers (login CSRF), an authorization
 * code injected into another browser's attempt, a response from another issuer (mix-up), an
 * expired or forged state cookie, a `redirectTo` off the allowlist. None may open a session,
 * and none may send the browser anywhere but the app's own pages.
 */

let app: TestApp;
let idpA: Awaited<ReturnType<typeof startIdp>>;
let idpB: Awaited<ReturnType<typeof startIdp>>;
const clock = { now: () => Date.now() };

beforeAll(async () => {
  app = await startApp();
  const person = { email: "ada@example.com", emailVerified: true };
  const attacker = { email: "attacker@example.com", emailVerified: true };
  idpA = await startIdp({
    clients: [{ clientId: "portcullis", redirectUri: `${app.baseURL}/auth/oauth/a/callback` }],
    users: { ada: person, attacker },
  });
  idpB = await startIdp({
    clients: [{ clientId: "portcullis", redirectUri: `${app.baseURL}/auth/oauth/b/callback` }],
    users: { ada: person, attacker },
  });
});

afterAll(async () => {
  await app?.close();
  await idpA?.close();
  await idpB?.close();
});

beforeEach(() => {
  clock.now = () => Date.now();
  app.configure({
    storage: memoryStorage(),
    clock,
    trustedOrigins: ["https://admin.example.com"],
    oauth: { providers: [idpProvider("a", idpA.issuer), idpProvider("b", idpB.issuer)] },
  });
});

const STATE_COOKIE = "portcullis.session.oauth";
const start = (provider: string, redirectTo = "/home") =>
  `${app.baseURL}/auth/oauth/${provider}?redirectTo=${encodeURIComponent(redirectTo)}`;
const atCallback = (url: URL) => url.pathname.endsWith("/callback");
const errorOf = (visit: Visit) =>
  new URL(visit.response.headers.get("location") as string).searchParams.get("error");
const landedAt = (visit: Visit) => new URL(visit.response.headers.get("location") as string);
const opensSession = (visit: Visit) =>
  visit.response.headers.getSetCookie().some((cookie) => /^portcullis\.session=[^;]/.test(cookie));

/** Walks to the provider and back, stopping at the callback (not yet sent). */
async function toCallback(browser: Browser, provider: "a" | "b", login = "ada") {
  return (await walk(browser, start(provider), login, atCallback)).url;
}

describe("the state", () => {
  it("is single-use: the callback replayed, with or without a copy of the cookie, opens nothing", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    const sealed = browser.cookie(app.baseURL, STATE_COOKIE) as string;
    const first = await browser.request(callback);
    expect(landedAt(first).href).toBe(`${app.baseURL}/home`);
    expect(opensSession(first)).toBe(true);
    // The answer cleared the cookie: a second load of the callback has no attempt.
    const reload = await browser.request(callback);
    expect(errorOf(reload)).toBe("token_invalid");
    expect(opensSession(reload)).toBe(false);
    // An attacker who copied the cookie too: the attempt is used up on the server.
    const thief = new Browser();
    thief.setCookie(app.baseURL, STATE_COOKIE, sealed, "/auth");
    const replay = await thief.request(callback);
    expect(errorOf(replay)).toBe("token_invalid");
    expect(opensSession(replay)).toBe(false);
    expect(await sessionOf(thief, app)).toBeNull();
  });

  it("is bound to its provider: provider A's state at provider B's callback is refused", async () => {
    const browser = new Browser();
    const callbackA = await toCallback(browser, "a");
    const atB = new URL(callbackA);
    atB.pathname = "/auth/oauth/b/callback";
    const swapped = await browser.request(atB);
    expect(errorOf(swapped)).toBe("token_invalid");
    expect(opensSession(swapped)).toBe(false);
    // Refused before anything was used: A's own callback still completes.
    const own = await browser.request(callbackA);
    expect(opensSession(own)).toBe(true);
  });

  it("is bound to the browser: an attacker's callback opened in a victim's browser signs nobody in", async () => {
    // Login CSRF: the attacker signs in as themself and stops at the callback...
    const attacker = new Browser();
    const attackersCallback = await toCallback(attacker, "a", "attacker");
    // ...and gets the victim to open it. The victim has no attempt: refused.
    const victim = new Browser();
    const planted = await victim.request(attackersCallback);
    expect(errorOf(planted)).toBe("token_invalid");
    expect(await sessionOf(victim, app)).toBeNull();
    // The victim has an attempt of their own under way: it does not match, and survives.
    const victimsCallback = await toCallback(victim, "a", "ada");
    const again = await victim.request(attackersCallback);
    expect(errorOf(again)).toBe("token_invalid");
    expect(opensSession(await victim.request(victimsCallback))).toBe(true);
    expect((await sessionOf(victim, app))?.user.email).toBe("ada@example.com");
  });

  it("expires after 10 minutes", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    clock.now = () => Date.now() + 11 * 60 * 1000;
    const late = await browser.request(callback);
    expect(errorOf(late)).toBe("token_invalid");
    expect(opensSession(late)).toBe(false);
  });

  it("cannot be forged: a cookie changed by one character is no attempt", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    const sealed = browser.cookie(app.baseURL, STATE_COOKIE) as string;
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === "A" ? "B" : "A"}${sealed.at(-1)}`;
    browser.setCookie(app.baseURL, STATE_COOKIE, flipped, "/auth");
    const forged = await browser.request(callback);
    expect(errorOf(forged)).toBe("token_invalid");
    expect(opensSession(forged)).toBe(false);
  });

  it("must match the state parameter: a callback without one, or with another, is refused", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    const without = new URL(callback);
    without.searchParams.delete("state");
    expect(errorOf(await browser.request(without))).toBe("token_invalid");
    const other = new URL(callback);
    other.searchParams.set("state", "A".repeat(43));
    expect(errorOf(await browser.request(other))).toBe("token_invalid");
    expect(opensSession(await browser.request(callback))).toBe(true);
  });
});

describe("the code and the issuer", () => {
  it("refuses an authorization code injected into another browser's attempt (PKCE)", async () => {
    // The attacker's code, for their own account, bound to the attacker's PKCE challenge.
    const attacker = new Browser();
    const stolen = await toCallback(attacker, "a", "attacker");
    // The victim's browser starts an attempt; the attacker gets it to return with their code.
    const victim = new Browser();
    const toProvider = await victim.follow(start("a"), (url) => url.origin === idpA.issuer);
    const injected = new URL(stolen);
    injected.searchParams.set("state", toProvider.url.searchParams.get("state") as string);
    const answer = await victim.request(injected);
    expect(errorOf(answer)).toBe("invalid_credentials");
    expect(opensSession(answer)).toBe(false);
    expect(await app.auth.storage.users.findByEmail("attacker@example.com")).toBeNull();
    expect(loggedReasons(app)).toMatch(/invalid_grant/);
  });

  it("refuses a response that names another issuer (mix-up), or none when the provider sends it", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    expect(callback.searchParams.get("iss")).toBe(idpA.issuer);
    const mixedUp = new URL(callback);
    mixedUp.searchParams.set("iss", idpB.issuer);
    const answer = await browser.request(mixedUp);
    expect(errorOf(answer)).toBe("invalid_credentials");
    expect(opensSession(answer)).toBe(false);
    expect(loggedReasons(app)).toMatch(/unexpected "iss" \(issuer\) response parameter/);

    // The provider advertises RFC 9207, so a response without `iss` is refused too.
    const second = new Browser();
    const withoutIss = await toCallback(second, "a");
    withoutIss.searchParams.delete("iss");
    const stripped = await second.request(withoutIss);
    expect(errorOf(stripped)).toBe("invalid_credentials");
    expect(loggedReasons(app)).toMatch(/"iss" \(issuer\) missing/);
    expect(await sessionOf(second, app)).toBeNull();
  });

  it("lands with the provider's refusal when the person cancels at the provider", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, "a");
    const denied = new URL(`${app.baseURL}/auth/oauth/a/callback`);
    denied.searchParams.set("error", "access_denied");
    denied.searchParams.set("state", callback.searchParams.get("state") as string);
    denied.searchParams.set("iss", idpA.issuer);
    const answer = await browser.request(denied);
    expect(landedAt(answer).href).toBe(`${app.baseURL}/home?error=invalid_credentials`);
    expect(opensSession(answer)).toBe(false);
  });
});

describe("redirectTo", () => {
  const offSite = [
    "https://evil.example/steal",
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    `${"http://127.0.0.1"}.evil.example/`,
  ];

  for (const target of offSite) {
    it(`never sends the browser to ${JSON.stringify(target)}, signed in or refused`, async () => {
      const browser = new Browser();
      const signedIn = await walk(browser, start("a", target), "ada", app.isLanding);
      expect(signedIn.url.origin).toBe(app.baseURL);
      expect(signedIn.url.href).toBe(`${app.baseURL}/`);
      // A refused callback lands on the app too, with the error.
      const refused = await browser.request(`${app.baseURL}/auth/oauth/a/callback?code=x&state=y`);
      expect(landedAt(refused).origin).toBe(app.baseURL);
      // And so does a start that fails.
      const unknown = await browser.request(
        `${app.baseURL}/auth/oauth/nope?redirectTo=${encodeURIComponent(target)}`,
      );
      expect(landedAt(unknown).href).toBe(`${app.baseURL}/?error=not_found`);
    });
  }

  it("follows an allowlisted target: a path, or a trusted origin", async () => {
    const browser = new Browser();
    const path = await walk(browser, start("a", "/after?x=1#top"), "ada", app.isLanding);
    expect(path.url.href).toBe(`${app.baseURL}/after?x=1#top`);
    const trusted = await walk(
      new Browser(),
      start("a", "https://admin.example.com/back"),
      "ada",
      (url) => url.origin !== idpA.issuer && !url.pathname.startsWith("/auth/"),
    );
    expect(trusted.url.href).toBe("https://admin.example.com/back");
  });
});
