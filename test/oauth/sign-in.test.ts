import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/index.js";
import { fastHasher, PASSWORD } from "../helpers.js";
import { Browser } from "./browser.js";
import { idpProvider, sessionOf, startApp, startIdp, type TestApp, walk } from "./harness.js";

/*
 * Social sign-in walked end to end over real HTTP: a browser with a cookie jar, the app, and
 * oidc-provider (the certified OpenID Provider) as the identity provider, its login and consent
 * pages filled in as a person would. Sign-up, sign-in again, and the linking rules.
 */

let app: TestApp;
let idp: Awaited<ReturnType<typeof startIdp>>;

beforeAll(async () => {
  app = await startApp();
  idp = await startIdp({
    clients: [{ clientId: "portcullis", redirectUri: `${app.baseURL}/auth/oauth/idp/callback` }],
    users: {},
  });
});

afterAll(async () => {
  await app?.close();
  await idp?.close();
});

beforeEach(() => {
  idp.users.clear();
  app.configure({
    storage: memoryStorage(),
    oauth: { providers: [idpProvider("idp", idp.issuer)] },
  });
});

const start = (redirectTo = "/dashboard") =>
  `${app.baseURL}/auth/oauth/idp?redirectTo=${encodeURIComponent(redirectTo)}`;

/** A person signs in at the provider as `login` and comes back: where they land. */
async function signIn(login: string, browser = new Browser(), redirectTo?: string) {
  const landing = await walk(browser, start(redirectTo), login, app.isLanding);
  return { browser, landing, url: landing.url, session: await sessionOf(browser, app) };
}

/** A password account, its email verified or not, and its browser signed in. */
async function passwordAccount(email: string, verified: boolean) {
  const browser = new Browser();
  const registered = await browser.request(`${app.baseURL}/auth/register`, {
    json: { email, password: PASSWORD },
  });
  expect(registered.response.status).toBe(201);
  const user = JSON.parse(registered.body).user as { id: string };
  if (verified) {
    await app.auth.storage.users.update(user.id, { emailVerified: true, updatedAt: new Date() });
  }
  return { browser, user };
}

const linkedTo = (userId: string) => app.auth.api.listLinkedAccounts(userId);
const typesOf = () => app.events.map((event) => event.type);

describe("sign-up and sign-in", () => {
  it("sends the browser to the provider with PKCE S256, state, nonce and the exact redirect URI", async () => {
    const browser = new Browser();
    const toProvider = await browser.follow(start(), (url) => url.origin === idp.issuer);
    const request = toProvider.url.searchParams;
    expect(toProvider.url.pathname).toBe("/auth");
    expect(request.get("response_type")).toBe("code");
    expect(request.get("client_id")).toBe("portcullis");
    expect(request.get("redirect_uri")).toBe(`${app.baseURL}/auth/oauth/idp/callback`);
    expect(request.get("code_challenge_method")).toBe("S256");
    expect(request.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get("scope")?.split(" ")).toEqual(["openid", "email", "profile"]);
    // The state cookie: sealed, HttpOnly, SameSite=Lax, scoped to the auth routes, 10 minutes.
    const cookie = toProvider.response.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(
      /^portcullis\.session\.oauth=v1\.[^;]+; Max-Age=600; Path=\/auth; HttpOnly; SameSite=Lax$/,
    );
    expect(cookie).not.toContain(request.get("state") as string);
  });

  it("creates the account of a new person, verified as the provider says, then signs them in again", async () => {
    idp.users.set("alice", { email: "Alice@Example.com", emailVerified: true, name: "Alice" });
    const first = await signIn("alice");
    expect(first.url.href).toBe(`${app.baseURL}/dashboard`);
    expect(first.session?.user).toMatchObject({
      email: "alice@example.com",
      emailVerified: true,
    });
    const userId = first.session?.user.id as string;
    expect(await app.auth.storage.users.findById(userId)).toMatchObject({ name: "Alice" });
    const [identity] = await linkedTo(userId);
    expect(identity).toMatchObject({ provider: "idp", email: "alice@example.com" });
    // The attempt is over: its cookie is gone, and the provider's tokens were not kept.
    expect(first.browser.cookie(app.baseURL, "portcullis.session.oauth")).toBeUndefined();
    expect((await app.auth.storage.accounts?.find("idp", "alice"))?.tokens).toBeNull();
    expect(typesOf()).toEqual(["user.registered", "oauth.linked", "user.signed_in"]);
    expect(app.events[0]).toMatchObject({ method: "oauth", email: "alice@example.com" });
    expect(app.events[2]).toMatchObject({ method: "oauth", userId });

    // Another device, the same person: the same account, nothing new.
    app.events.length = 0;
    const again = await signIn("alice");
    expect(again.session?.user.id).toBe(userId);
    expect(await linkedTo(userId)).toHaveLength(1);
    expect(typesOf()).toEqual(["user.signed_in"]);
  });

  it("signs in by the identity, not the email: a changed address at the provider changes nothing", async () => {
    idp.users.set("bea", { email: "bea@example.com", emailVerified: true });
    const first = await signIn("bea");
    idp.users.set("bea", { email: "bea.new@example.com", emailVerified: true });
    const second = await signIn("bea");
    expect(second.session?.user.id).toBe(first.session?.user.id);
    expect(second.session?.user.email).toBe("bea@example.com");
  });

  it("answers a client that asks for JSON with the user (201 at sign-up), and a session cookie", async () => {
    idp.users.set("cleo", { email: "cleo@example.com", emailVerified: true });
    const browser = new Browser();
    const callback = await walk(browser, start(), "cleo", (url) =>
      url.pathname.endsWith("/callback"),
    );
    const answer = await browser.request(callback.url, { headers: { accept: "application/json" } });
    expect(answer.response.status).toBe(201);
    expect(JSON.parse(answer.body).user.email).toBe("cleo@example.com");
    expect((await sessionOf(browser, app))?.user.email).toBe("cleo@example.com");
  });

  it("keeps the provider's tokens only with storeTokens, sealed", async () => {
    app.configure({
      storage: memoryStorage(),
      oauth: { providers: [idpProvider("idp", idp.issuer)], storeTokens: true },
    });
    idp.users.set("dora", { email: "dora@example.com", emailVerified: true });
    const { session } = await signIn("dora");
    const userId = session?.user.id as string;
    const [identity] = await linkedTo(userId);
    const stored = await app.auth.storage.accounts?.find("idp", "dora");
    const tokens = await app.auth.api.getOAuthTokens(userId, identity?.id as string);
    expect(tokens?.accessToken).toMatch(/.{20,}/);
    expect(tokens?.expiresAt).toBeInstanceOf(Date);
    expect(stored?.tokens).toMatch(/^v1\./);
    expect(stored?.tokens).not.toContain(tokens?.accessToken);
    // The token works at the provider: it is the real one.
    const userinfo = await fetch(`${idp.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens?.accessToken}` },
    });
    expect(((await userinfo.json()) as { sub: string }).sub).toBe("dora");
  });

  it("creates no account with signUp off", async () => {
    app.configure({
      storage: memoryStorage(),
      oauth: { providers: [idpProvider("idp", idp.issuer)], signUp: false },
    });
    idp.users.set("eve", { email: "eve@example.com", emailVerified: true });
    const { url, session } = await signIn("eve");
    expect(url.href).toBe(`${app.baseURL}/dashboard?error=forbidden`);
    expect(session).toBeNull();
    expect(await app.auth.storage.users.findByEmail("eve@example.com")).toBeNull();
  });

  it("creates no account for an address the provider did not verify when verification is required", async () => {
    app.configure({
      storage: memoryStorage(),
      emailVerification: { required: true },
      oauth: { providers: [idpProvider("idp", idp.issuer)] },
    });
    idp.users.set("fay", { email: "fay@example.com", emailVerified: false });
    const { url, session } = await signIn("fay");
    expect(url.searchParams.get("error")).toBe("email_not_verified");
    expect(session).toBeNull();
    expect(await app.auth.storage.users.findByEmail("fay@example.com")).toBeNull();
  });

  it("creates an unverified account for an address the provider did not verify (verification not required)", async () => {
    idp.users.set("gus", { email: "gus@example.com", emailVerified: false });
    const { session } = await signIn("gus");
    expect(session?.user).toMatchObject({ email: "gus@example.com", emailVerified: false });
  });

  it("refuses an identity without an email when it would create an account", async () => {
    idp.users.set("hal", {});
    const { url, session } = await signIn("hal");
    expect(url.searchParams.get("error")).toBe("forbidden");
    expect(session).toBeNull();
  });
});

describe("linking by email", () => {
  it("links a new identity to an existing account when both addresses are verified", async () => {
    const owner = await passwordAccount("ivy@example.com", true);
    idp.users.set("ivy", { email: "ivy@example.com", emailVerified: true });
    app.events.length = 0;
    const { session } = await signIn("ivy");
    expect(session?.user.id).toBe(owner.user.id);
    expect(await linkedTo(owner.user.id)).toMatchObject([{ provider: "idp" }]);
    expect(typesOf()).toEqual(["oauth.linked", "user.signed_in"]);
  });

  it("refuses an address the provider did not verify, even for a verified account (account_exists)", async () => {
    const owner = await passwordAccount("jon@example.com", true);
    idp.users.set("mallory", { email: "jon@example.com", emailVerified: false });
    app.events.length = 0;
    const { url, session } = await signIn("mallory");
    expect(url.href).toBe(`${app.baseURL}/dashboard?error=account_exists`);
    expect(session).toBeNull();
    expect(await linkedTo(owner.user.id)).toEqual([]);
    expect(typesOf()).not.toContain("user.signed_in");
  });

  it("never links to an unverified account: a squatter's pre-registration stays unlinked", async () => {
    // Someone registered the victim's address with a password they know, never verified.
    const squatter = await passwordAccount("kim@example.com", false);
    idp.users.set("kim", { email: "kim@example.com", emailVerified: true });
    const { url, session } = await signIn("kim");
    expect(url.searchParams.get("error")).toBe("account_exists");
    expect(session).toBeNull();
    expect(await linkedTo(squatter.user.id)).toEqual([]);
  });

  it("answers account_exists to a JSON client as 409 in the error shape, telling what to do", async () => {
    await passwordAccount("lea@example.com", false);
    idp.users.set("lea", { email: "lea@example.com", emailVerified: true });
    const browser = new Browser();
    const callback = await walk(browser, start(), "lea", (url) =>
      url.pathname.endsWith("/callback"),
    );
    const answer = await browser.request(callback.url, { headers: { accept: "application/json" } });
    expect(answer.response.status).toBe(409);
    const { error } = JSON.parse(answer.body);
    expect(error.code).toBe("account_exists");
    expect(error.message).toMatch(/sign in to it .*link/i);
    expect(answer.response.headers.getSetCookie().join()).not.toMatch(/portcullis\.session=[^;]/);
  });
});

describe("linking from the account", () => {
  it("links an identity for a signed-in user after step-up, and it then signs in that account", async () => {
    const owner = await passwordAccount("max@example.com", false);
    idp.users.set("max-at-idp", { email: "max.other@example.com", emailVerified: true });
    const link = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: { redirectTo: "/settings" },
    });
    expect(link.response.status).toBe(200);
    const { url } = JSON.parse(link.body) as { url: string };
    expect(new URL(url).origin).toBe(idp.issuer);
    app.events.length = 0;
    const landing = await walk(owner.browser, url, "max-at-idp", app.isLanding);
    expect(landing.url.href).toBe(`${app.baseURL}/settings`);
    expect(typesOf()).toEqual(["oauth.linked"]);
    // Still the same session; the identity is listed.
    expect((await sessionOf(owner.browser, app))?.user.id).toBe(owner.user.id);
    const listed = await owner.browser.request(`${app.baseURL}/auth/oauth/accounts`);
    expect(JSON.parse(listed.body).accounts).toMatchObject([
      { provider: "idp", email: "max.other@example.com" },
    ]);
    // A new browser signing in with the identity gets the owner's account.
    const elsewhere = await signIn("max-at-idp");
    expect(elsewhere.session?.user.id).toBe(owner.user.id);
  });

  it("asks for a fresh sign-in, the password or a TOTP code before it starts a link (step-up)", async () => {
    const clock = { now: () => Date.now() };
    app.configure({
      storage: memoryStorage(),
      clock,
      oauth: { providers: [idpProvider("idp", idp.issuer)] },
    });
    const owner = await passwordAccount("ned@example.com", true);
    const signedInAt = Date.now();
    clock.now = () => signedInAt + 11 * 60 * 1000;
    const stale = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, { json: {} });
    expect(stale.response.status).toBe(403);
    expect(JSON.parse(stale.body).error.code).toBe("reauthentication_required");
    const wrong = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: { currentPassword: "not the password" },
    });
    expect(wrong.response.status).toBe(401);
    const withPassword = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: { currentPassword: PASSWORD },
    });
    expect(withPassword.response.status).toBe(200);
    // A form post gets the redirect itself.
    const form = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      form: { currentPassword: PASSWORD },
    });
    expect(form.response.status).toBe(302);
    expect(new URL(form.response.headers.get("location") as string).origin).toBe(idp.issuer);
    // With MFA on, the authenticator app's code does instead of the password, once.
    const setup = await app.auth.api.setupTotp(owner.user.id);
    const authenticator = OTPAuth.URI.parse(setup.uri) as OTPAuth.TOTP;
    const code = () => authenticator.generate({ timestamp: clock.now() });
    await app.auth.api.enableTotp(owner.user.id, { code: code() });
    // The code that turned MFA on is spent: the next period's.
    clock.now = () => signedInAt + 11 * 60 * 1000 + 30_000;
    const current = code();
    const withCode = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: { code: current },
    });
    expect(withCode.response.status).toBe(200);
    const replayed = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: { code: current },
    });
    expect(replayed.response.status).toBe(401);
    // Not signed in at all: nothing to link to.
    const anonymous = await new Browser().request(`${app.baseURL}/auth/oauth/idp/link`, {
      json: {},
    });
    expect(anonymous.response.status).toBe(401);
  });

  it("refuses to link an identity that belongs to another account", async () => {
    idp.users.set("olga", { email: "olga@example.com", emailVerified: true });
    const holder = await signIn("olga");
    const other = await passwordAccount("pia@example.com", true);
    const link = await other.browser.request(`${app.baseURL}/auth/oauth/idp/link`, { json: {} });
    const landing = await walk(other.browser, JSON.parse(link.body).url, "olga", app.isLanding);
    expect(landing.url.searchParams.get("error")).toBe("forbidden");
    expect(await linkedTo(other.user.id)).toEqual([]);
    expect(await linkedTo(holder.session?.user.id as string)).toHaveLength(1);
    // The refused link changed nobody's session.
    expect((await sessionOf(other.browser, app))?.user.id).toBe(other.user.id);
  });

  it("completes a link only in the session that started it", async () => {
    const owner = await passwordAccount("quinn@example.com", true);
    idp.users.set("quinn-idp", { email: "q@example.com", emailVerified: true });
    const link = await owner.browser.request(`${app.baseURL}/auth/oauth/idp/link`, { json: {} });
    const callback = await walk(owner.browser, JSON.parse(link.body).url, "quinn-idp", (url) =>
      url.pathname.endsWith("/callback"),
    );
    // Signed out in between: the callback links nothing, and signs nobody in.
    await owner.browser.request(`${app.baseURL}/auth/logout`, { method: "POST" });
    const answer = await owner.browser.request(callback.url);
    expect(
      new URL(answer.response.headers.get("location") as string).searchParams.get("error"),
    ).toBe("unauthenticated");
    expect(await linkedTo(owner.user.id)).toEqual([]);
    expect(await sessionOf(owner.browser, app)).toBeNull();
  });
});

describe("unlinking", () => {
  const unlink = (browser: Browser, id: string) =>
    browser.request(`${app.baseURL}/auth/oauth/accounts/${id}`, { method: "DELETE" });

  it("refuses to remove the last way to sign in, and allows it once there is another", async () => {
    app.configure({
      storage: memoryStorage(),
      magicLink: { enabled: false },
      oauth: { providers: [idpProvider("idp", idp.issuer)] },
    });
    idp.users.set("rita", { email: "rita@example.com", emailVerified: true });
    const { browser, session } = await signIn("rita");
    const userId = session?.user.id as string;
    const [only] = await linkedTo(userId);
    const refused = await unlink(browser, only?.id as string);
    expect(refused.response.status).toBe(403);
    expect(JSON.parse(refused.body).error.message).toMatch(/only way to sign in/);
    expect(await linkedTo(userId)).toHaveLength(1);

    // A second identity: either may go, but not both.
    idp.users.set("rita-2", { email: "rita.two@example.com", emailVerified: true });
    // Signed out at the provider, so that it asks who is signing in this time.
    browser.jar.delete(idp.issuer);
    const link = await browser.request(`${app.baseURL}/auth/oauth/idp/link`, { json: {} });
    await walk(browser, JSON.parse(link.body).url, "rita-2", app.isLanding);
    expect(await linkedTo(userId)).toHaveLength(2);
    expect((await unlink(browser, only?.id as string)).response.status).toBe(204);
    const [last] = await linkedTo(userId);
    expect((await unlink(browser, last?.id as string)).response.status).toBe(403);

    // A password is another way in: now the last identity may go.
    await app.auth.storage.passwords.set(userId, await fastHasher.hash(PASSWORD));
    expect((await unlink(browser, last?.id as string)).response.status).toBe(204);
    expect(await linkedTo(userId)).toEqual([]);
    expect(typesOf().filter((type) => type === "oauth.unlinked")).toHaveLength(2);
  });

  it("counts mailed sign-in links as a way in only while they are on", async () => {
    idp.users.set("sam", { email: "sam@example.com", emailVerified: true });
    const { browser, session } = await signIn("sam");
    const [only] = await linkedTo(session?.user.id as string);
    // Magic links are on (outside production they are by default): the address is a way in.
    expect((await unlink(browser, only?.id as string)).response.status).toBe(204);
  });

  it("answers not_found for someone else's identity, and leaves it", async () => {
    idp.users.set("tom", { email: "tom@example.com", emailVerified: true });
    const tom = await signIn("tom");
    const other = await passwordAccount("uma@example.com", true);
    const [toms] = await linkedTo(tom.session?.user.id as string);
    expect((await unlink(other.browser, toms?.id as string)).response.status).toBe(404);
    expect(await linkedTo(tom.session?.user.id as string)).toHaveLength(1);
  });
});

describe("deleting and recovering accounts", () => {
  it("deletes the identities with the account: the identity then makes a new account", async () => {
    idp.users.set("vic", { email: "vic@example.com", emailVerified: true });
    const first = await signIn("vic");
    await app.auth.api.deleteAccount(first.session?.user.id as string);
    expect(await app.auth.storage.accounts?.find("idp", "vic")).toBeNull();
    const again = await signIn("vic");
    expect(again.session?.user.id).not.toBe(first.session?.user.id);
  });

  it("evicts the identities a squatter linked when the address's owner proves it", async () => {
    const squatter = await passwordAccount("wes@example.com", false);
    idp.users.set("squatter-idp", { email: "squatter@example.com", emailVerified: true });
    const link = await squatter.browser.request(`${app.baseURL}/auth/oauth/idp/link`, { json: {} });
    await walk(squatter.browser, JSON.parse(link.body).url, "squatter-idp", app.isLanding);
    expect(await linkedTo(squatter.user.id)).toHaveLength(1);
    // The owner of the address signs in with a link mailed to it, in a browser of their own.
    const sent: { url?: string }[] = [];
    app.configure({
      storage: app.auth.storage,
      mailer: { send: async (message) => void sent.push(message) },
      oauth: { providers: [idpProvider("idp", idp.issuer)] },
    });
    await app.auth.api.requestMagicLink({ email: "wes@example.com" });
    await app.auth.api.flushOutbox();
    const token = new URL(sent[0]?.url as string).searchParams.get("token") as string;
    await app.auth.api.verifyMagicLink({ token });
    expect(await linkedTo(squatter.user.id)).toEqual([]);
    // The squatter's identity no longer reaches the account.
    const back = await signIn("squatter-idp");
    expect(back.session?.user.id).not.toBe(squatter.user.id);
  });
});
