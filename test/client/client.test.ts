/**
 * `portcullis/client` against a real `auth.handler`: the client's `fetch` is the handler behind
 * a tiny browser (a cookie jar, and the app's `Origin` on state-changing requests, as a browser
 * on the app's own page sends it).
 */
import { describe, expect, it, vi } from "vitest";
import {
  type ClientSignInResult,
  createClient,
  isPortcullisClientError,
  PortcullisClientError,
  type PortcullisErrorCode,
} from "../../adapters/client/index.js";
import { github } from "../../src/oauth-providers/index.js";
import { BASE_URL, makeAuth, manualClock, PASSWORD } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import { authenticatorApp, verifiedAddress } from "../mfa/helpers.js";
import { softAuthenticator } from "../passkeys/helpers.js";

type Auth = ReturnType<typeof makeAuth>;

interface Sent {
  url: string;
  method: string;
  credentials: RequestCredentials | undefined;
  contentType: string | null;
  body: string | null;
}

/** One browser: keeps the cookies the handler sets and sends them back, like a browser would. */
function browserFetch(auth: Auth) {
  const jar = new Map<string, string>();
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input), BASE_URL);
    const headers = new Headers(init?.headers);
    const method = init?.method ?? "GET";
    if (jar.size > 0) {
      headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    if (method !== "GET" && method !== "HEAD") headers.set("origin", new URL(BASE_URL).origin);
    const body = typeof init?.body === "string" ? init.body : null;
    sent.push({
      url: String(input),
      method,
      credentials: init?.credentials,
      contentType: headers.get("content-type"),
      body,
    });
    const response = await auth.handler(new Request(url, { method, headers, body }));
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = setCookie.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(at + 1));
    }
    return response;
  };
  return { fetch, jar, sent };
}

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const auth = makeAuth({ mailer, ...overrides });
  const open = () => {
    const browser = browserFetch(auth);
    return { ...browser, client: createClient({ baseURL: BASE_URL, fetch: browser.fetch }) };
  };
  /** The last message of `type` to `to`, after the outbox has delivered what it holds. */
  async function mailTo(to: string, type: string) {
    await auth.api.flushOutbox();
    const message = mailer.sent.filter((m) => m.to === to && m.type === type).at(-1);
    if (!message) throw new Error(`no ${type} mail to ${to}`);
    return message;
  }
  return { auth, mailer, open, mailTo };
}

/** The user of a sign-in that opened a session (not the second-factor step). */
function signedInUser(result: ClientSignInResult) {
  if (result.mfaRequired) throw new Error("expected a session, got the second-factor step");
  return result.user;
}

/** The rejection of `promise`, which must be a `PortcullisClientError`. */
async function failure(promise: Promise<unknown>): Promise<PortcullisClientError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PortcullisClientError);
  return error as PortcullisClientError;
}

describe("portcullis/client", () => {
  it("signs up, reads the session, signs out and signs in again", async () => {
    const { open } = setup();
    const { client, jar, sent } = open();

    const signedUp = await client.signUp({
      email: "Ada@Example.com",
      password: PASSWORD,
      name: "Ada",
    });
    expect(signedUp.user).toMatchObject({ email: "ada@example.com", name: "Ada" });
    expect(signedUp.emailVerificationRequired).toBe(false);
    expect(jar.has("portcullis.session")).toBe(true);
    expect(sent[0]).toMatchObject({
      url: `${BASE_URL}/auth/register`,
      method: "POST",
      contentType: "application/json",
      // baseURL is given and there is no page here to compare it with: cookies are sent anyway.
      credentials: "include",
    });

    const current = await client.session();
    expect(current?.user.email).toBe("ada@example.com");
    expect(typeof current?.session.expiresAt).toBe("string");

    await client.signOut();
    expect(jar.has("portcullis.session")).toBe(false);
    expect(await client.session()).toBeNull();

    const signedIn = await client.signIn({ email: "ada@example.com", password: PASSWORD });
    expect(signedInUser(signedIn).id).toBe(signedUp.user.id);
    expect((await client.session())?.user.id).toBe(signedUp.user.id);
  });

  it("lists sessions, revokes one, and revokes the others", async () => {
    const { open } = setup();
    const laptop = open();
    const phone = open();
    const tablet = open();
    await laptop.client.signUp({ email: "ada@example.com", password: PASSWORD });
    await phone.client.signIn({ email: "ada@example.com", password: PASSWORD });
    await tablet.client.signIn({ email: "ada@example.com", password: PASSWORD });

    const listed = await laptop.client.sessions.list();
    expect(listed).toHaveLength(3);
    expect(listed.filter((s) => s.current)).toHaveLength(1);
    const laptopSession = (await laptop.client.session())?.session;
    expect(listed.find((s) => s.current)?.id).toBe(laptopSession?.id);

    const phoneSession = (await phone.client.session())?.session;
    await laptop.client.sessions.revoke(phoneSession?.id as string);
    expect(await phone.client.session()).toBeNull();
    expect(await laptop.client.sessions.list()).toHaveLength(2);

    const missing = await failure(laptop.client.sessions.revoke("no-such-session"));
    expect(missing).toMatchObject({ code: "not_found", status: 404 });

    // Signed in just now: fresh enough to sign out the others without the password.
    await laptop.client.sessions.revokeOthers();
    expect(await tablet.client.session()).toBeNull();
    expect(await laptop.client.sessions.list()).toHaveLength(1);
  });

  it("throws typed errors: the code, status and message, issues on invalid_request", async () => {
    const { open } = setup();
    const { client } = open();
    await client.signUp({ email: "ada@example.com", password: PASSWORD });

    const wrong = await failure(client.signIn({ email: "ada@example.com", password: "nope nope" }));
    expect(wrong.code).toBe("invalid_credentials");
    expect(wrong.status).toBe(401);
    expect(wrong.message).toBe("Invalid email or password");
    expect(wrong.name).toBe("PortcullisClientError");
    expect(isPortcullisClientError(wrong)).toBe(true);
    expect(wrong.issues).toBeUndefined();
    // The code is a closed union: a switch over it is checked by the compiler.
    const code: PortcullisErrorCode = wrong.code;
    expect(code).toBe("invalid_credentials");

    const taken = await failure(
      open().client.signUp({ email: "ada@example.com", password: PASSWORD }),
    );
    expect(taken).toMatchObject({ code: "email_taken", status: 409 });

    const invalid = await failure(open().client.signUp({ email: "not an email", password: "x" }));
    expect(invalid.code).toBe("invalid_request");
    expect(invalid.status).toBe(400);
    expect(invalid.issues?.map((issue) => issue.path[0])).toEqual(
      expect.arrayContaining(["email"]),
    );

    const stranger = await failure(open().client.sessions.list());
    expect(stranger).toMatchObject({ code: "unauthenticated", status: 401 });
  });

  it("reads Retry-After into retryAfter on rate_limited", async () => {
    const { open } = setup();
    const { client } = open();
    await client.signUp({ email: "ada@example.com", password: PASSWORD });
    let limited: PortcullisClientError | undefined;
    for (let attempt = 0; attempt < 20 && !limited; attempt++) {
      const error = await failure(
        client.signIn({ email: "ada@example.com", password: "nope nope" }),
      );
      if (error.code === "rate_limited") limited = error;
      else expect(error.code).toBe("invalid_credentials");
    }
    expect(limited?.status).toBe(429);
    expect(limited?.retryAfter).toBeGreaterThan(0);
    expect(Number.isInteger(limited?.retryAfter)).toBe(true);
  });

  it("changes the password; a wrong current one is invalid_credentials", async () => {
    const { open } = setup();
    const { client } = open();
    await client.signUp({ email: "ada@example.com", password: PASSWORD });
    const wrong = await failure(
      client.changePassword({
        currentPassword: "not my password",
        newPassword: "a new passphrase",
      }),
    );
    expect(wrong.code).toBe("invalid_credentials");
    await client.changePassword({ currentPassword: PASSWORD, newPassword: "a new passphrase" });
    await client.signOut();
    await client.signIn({ email: "ada@example.com", password: "a new passphrase" });
  });

  it("resets a forgotten password with the mailed token, once", async () => {
    const { open, mailTo } = setup();
    await open().client.signUp({ email: "ada@example.com", password: PASSWORD });
    const { client } = open();

    await client.forgotPassword({ email: "ada@example.com" });
    await client.forgotPassword({ email: "nobody@example.com" }); // the same answer for strangers
    const mail = await mailTo("ada@example.com", "password-reset");
    const link = new URL(mail.url as string);
    expect(link.pathname).toBe("/reset-password");
    const token = link.searchParams.get("token") as string;

    await client.resetPassword({ token, password: "a new passphrase" });
    const reused = await failure(client.resetPassword({ token, password: "another passphrase" }));
    expect(reused).toMatchObject({ code: "token_invalid", status: 401 });
    const user = signedInUser(
      await client.signIn({ email: "ada@example.com", password: "a new passphrase" }),
    );
    expect(user.email).toBe("ada@example.com");
  });

  it("requests a verification link, a magic link and a code, signs in with the code, changes the email", async () => {
    const { open, mailTo } = setup();
    const signedUp = open().client;
    await signedUp.signUp({ email: "ada@example.com", password: PASSWORD });
    // Unverified so far: the verification link goes out.
    await signedUp.requestEmailVerification();
    expect((await mailTo("ada@example.com", "email-verification")).url).toContain("token=");
    const { client } = open();

    await client.magicLink.request({ email: "ada@example.com", redirectTo: "/account" });
    expect((await mailTo("ada@example.com", "magic-link")).url).toContain(
      "/auth/magic-link/verify?token=",
    );
    await client.magicLink.request({ email: "ada@example.com", type: "code" });
    const { code } = await mailTo("ada@example.com", "login-code");
    const wrongCode = await failure(
      client.magicLink.verifyCode({
        email: "ada@example.com",
        code: code === "000000" ? "111111" : "000000",
      }),
    );
    expect(wrongCode.code).toBe("token_invalid");
    const user = signedInUser(
      await client.magicLink.verifyCode({ email: "ada@example.com", code: code as string }),
    );
    expect(user.email).toBe("ada@example.com");

    await client.changeEmail({ newEmail: "lovelace@example.com" });
    expect((await mailTo("lovelace@example.com", "email-change")).url).toContain("token=");
  });

  it("adds a passkey and signs in with it through the webauthn functions it is given", async () => {
    const { open } = setup();
    const authenticator = softAuthenticator();
    const webauthn = {
      startRegistration: async ({ optionsJSON }: { optionsJSON: never }) =>
        authenticator.create(optionsJSON),
      startAuthentication: async ({ optionsJSON }: { optionsJSON: never }) =>
        authenticator.get(optionsJSON),
    };
    const laptop = open();
    await laptop.client.signUp({ email: "ada@example.com", password: PASSWORD });
    const withPasskeys = createClient({
      baseURL: BASE_URL,
      fetch: laptop.fetch,
      webauthn: async () => webauthn,
    });
    const { passkey } = await withPasskeys.passkeys.register({ name: "Laptop" });
    expect(passkey.name).toBe("Laptop");
    expect((await withPasskeys.passkeys.list()).map((p) => p.id)).toEqual([passkey.id]);
    const renamed = await withPasskeys.passkeys.rename(passkey.id, "Work laptop");
    expect(renamed.passkey.name).toBe("Work laptop");

    const phone = open();
    const signedIn = await createClient({
      baseURL: BASE_URL,
      fetch: phone.fetch,
      webauthn,
    }).passkeys.signIn();
    expect(signedInUser(signedIn).email).toBe("ada@example.com");
    expect((await phone.client.session())?.user.email).toBe("ada@example.com");
  });

  it("without the webauthn option, the passkey functions say what to install and pass", async () => {
    const { open } = setup();
    await expect(open().client.passkeys.signIn()).rejects.toThrow(
      /npm install @simplewebauthn\/browser.*webauthn: \(\) => import\("@simplewebauthn\/browser"\)/,
    );
  });

  it("accepts @simplewebauthn/browser's own module as the loader (types)", () => {
    // Compiled, not called: the option's type takes the real package's functions.
    const client = createClient({ webauthn: () => import("@simplewebauthn/browser") });
    expect(typeof client.passkeys.register).toBe("function");
  });

  it("builds URLs from baseURL and basePath, and is same-origin without a baseURL", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      calls.push({ url: String(input), init });
      return new Response(null, { status: 204 });
    };
    await createClient({ fetch }).signOut();
    await createClient({ fetch, basePath: "api/auth/" }).signOut();
    await createClient({ fetch, baseURL: "https://auth.example.com/", basePath: "/" }).signOut();
    expect(calls.map((c) => c.url)).toEqual([
      "/auth/logout",
      "/api/auth/logout",
      "https://auth.example.com/logout",
    ]);
    expect(calls.map((c) => c.init?.credentials)).toEqual([
      "same-origin",
      "same-origin",
      "include",
    ]);
  });

  it("turns a network failure or a non-JSON error page into a typed error", async () => {
    const offline = createClient({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    const unreachable = await failure(offline.session());
    expect(unreachable).toMatchObject({ code: "unavailable", status: 0 });
    expect(unreachable.cause).toBeInstanceOf(TypeError);

    const proxy = createClient({
      fetch: async () =>
        new Response("<h1>502 Bad Gateway</h1>", {
          status: 502,
          headers: { "content-type": "text/html" },
        }),
    });
    expect(await failure(proxy.signIn({ email: "a@example.com", password: "x" }))).toMatchObject({
      code: "unavailable",
      status: 502,
      message: "HTTP 502",
    });

    // A page, not the routes, answered (a single-page app's fallback): said plainly.
    const misrouted = createClient({
      fetch: async () => new Response("<!doctype html><title>App</title>", { status: 200 }),
    });
    const notJSON = await failure(misrouted.session());
    expect(notJSON).toMatchObject({ code: "internal", status: 200 });
    expect(notJSON.message).toContain("are the Portcullis routes served at /auth?");
  });
});

describe("portcullis/client: two-factor authentication", () => {
  /** Ada, signed up in `laptop`, her address verified (MFA waits for that), on a manual clock. */
  async function withAda() {
    const clock = manualClock();
    const { auth, open, mailTo } = setup({ clock });
    const laptop = open();
    const { user } = await laptop.client.signUp({ email: "ada@example.com", password: PASSWORD });
    await verifiedAddress(auth, user.id);
    return { auth, clock, open, mailTo, laptop };
  }

  /** Turns MFA on from `laptop` as a person would: set-up, a code of the app, the codes shown. */
  async function turnOn(ada: Awaited<ReturnType<typeof withAda>>) {
    const { secret, uri } = await ada.laptop.client.mfa.setup();
    const app = authenticatorApp(uri, ada.clock);
    expect(app.app.secret.base32).toBe(secret);
    const { recoveryCodes } = await ada.laptop.client.mfa.enable(app.code());
    // The code that turned it on is spent: the next one is a new step's.
    ada.clock.advance(30);
    return { app, recoveryCodes };
  }

  const credentials = { email: "ada@example.com", password: PASSWORD };

  it("turns it on; a password sign-in then stops at the second factor until the code", async () => {
    const ada = await withAda();
    expect(await ada.laptop.client.mfa.status()).toEqual({
      enabled: false,
      enabledAt: null,
      recoveryCodesRemaining: 0,
      pendingSetup: false,
    });
    const { app, recoveryCodes } = await turnOn(ada);
    expect(recoveryCodes).toHaveLength(10);
    const status = await ada.laptop.client.mfa.status();
    expect(status).toMatchObject({ enabled: true, recoveryCodesRemaining: 10 });
    expect(typeof status.enabledAt).toBe("string");

    const phone = ada.open();
    const pending = await phone.client.signIn(credentials);
    // The pending step, and nothing else: no user, no session cookie, only the pending cookie.
    expect(pending).toEqual({ mfaRequired: true });
    expect(phone.jar.has("portcullis.session")).toBe(false);
    expect(phone.jar.has("portcullis.session.mfa")).toBe(true);
    expect(await phone.client.session()).toBeNull();

    const wrong = await failure(
      phone.client.mfa.verify({ code: app.code() === "000000" ? "111111" : "000000" }),
    );
    expect(wrong).toMatchObject({ code: "mfa_invalid", status: 401 });

    const signedIn = await phone.client.mfa.verify({ code: app.code() });
    expect(signedIn.user.email).toBe("ada@example.com");
    expect(signedIn.recoveryCodesRemaining).toBeUndefined();
    expect(phone.jar.has("portcullis.session")).toBe(true);
    expect(phone.jar.has("portcullis.session.mfa")).toBe(false);
    expect((await phone.client.session())?.user.email).toBe("ada@example.com");

    // The step is used up: the same code again, or any, is refused.
    const again = await failure(phone.client.mfa.verify({ code: app.code() }));
    expect(again.code).toBe("token_invalid");
  });

  it("signs in with a recovery code once, regenerates the codes, and turns it off", async () => {
    const ada = await withAda();
    const { app, recoveryCodes } = await turnOn(ada);
    const [first, second] = recoveryCodes as [string, string];

    const phone = ada.open();
    expect((await phone.client.signIn(credentials)).mfaRequired).toBe(true);
    const withRecovery = await phone.client.mfa.verify({ recoveryCode: first });
    expect(withRecovery.recoveryCodesRemaining).toBe(9);

    const tablet = ada.open();
    await tablet.client.signIn(credentials);
    const used = await failure(tablet.client.mfa.verify({ recoveryCode: first }));
    expect(used.code).toBe("mfa_invalid");

    const { recoveryCodes: fresh } = await ada.laptop.client.mfa.regenerateRecoveryCodes(
      app.code(),
    );
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(second);
    const old = await failure(tablet.client.mfa.verify({ recoveryCode: second }));
    expect(old.code).toBe("mfa_invalid");
    expect(await ada.laptop.client.mfa.status()).toMatchObject({ recoveryCodesRemaining: 10 });

    // Off takes a second factor too: a fresh session alone is not enough.
    const bare = await failure(ada.laptop.client.mfa.disable({} as { code: string }));
    expect(bare.code).toBe("invalid_request");
    ada.clock.advance(30);
    await ada.laptop.client.mfa.disable({ code: app.code() });
    expect((await ada.laptop.client.mfa.status()).enabled).toBe(false);
    const direct = await ada.open().client.signIn(credentials);
    expect(signedInUser(direct).email).toBe("ada@example.com");
  });

  it("set-up needs a fresh session: reauthentication_required, then the current password", async () => {
    const ada = await withAda();
    ada.clock.advance(11 * 60);
    const stale = await failure(ada.laptop.client.mfa.setup());
    expect(stale).toMatchObject({ code: "reauthentication_required", status: 403 });
    const wrong = await failure(
      ada.laptop.client.mfa.setup({ currentPassword: "not my password" }),
    );
    expect(wrong.code).toBe("invalid_credentials");
    const { uri } = await ada.laptop.client.mfa.setup({ currentPassword: PASSWORD });
    const app = authenticatorApp(uri, ada.clock);
    const enableStale = await failure(ada.laptop.client.mfa.enable(app.code()));
    expect(enableStale.code).toBe("reauthentication_required");
    const { recoveryCodes } = await ada.laptop.client.mfa.enable(app.code(), {
      currentPassword: PASSWORD,
    });
    expect(recoveryCodes).toHaveLength(10);
    // With MFA on, a code is step-up too (here: revoking the other sessions).
    ada.clock.advance(30);
    await ada.laptop.client.sessions.revokeOthers({ code: app.code() });
  });

  it("an unverified address cannot turn it on yet (email_not_verified)", async () => {
    const { open } = setup();
    const { client } = open();
    await client.signUp({ email: "ada@example.com", password: PASSWORD });
    const refused = await failure(client.mfa.setup());
    expect(refused).toMatchObject({ code: "email_not_verified", status: 403 });
  });

  it("a mailed code stops at the second factor too, and the user's JSON has disabledAt", async () => {
    const ada = await withAda();
    const { app } = await turnOn(ada);
    const { client, jar } = ada.open();
    await client.magicLink.request({ email: "ada@example.com", type: "code" });
    const { code } = await ada.mailTo("ada@example.com", "login-code");
    const pending = await client.magicLink.verifyCode({
      email: "ada@example.com",
      code: code as string,
    });
    expect(pending.mfaRequired).toBe(true);
    expect(jar.has("portcullis.session")).toBe(false);
    const { user } = await client.mfa.verify({ code: app.code() });
    expect(user.disabledAt).toBeNull();
    expect(user.metadata).toEqual({});
  });
});

describe("portcullis/client: social sign-in", () => {
  const withGitHub = () => {
    const clock = manualClock();
    return {
      clock,
      ...setup({
        clock,
        oauth: { providers: [github({ clientId: "client-id", clientSecret: "client-secret" })] },
      }),
    };
  };

  it("starts a sign-in by navigation: the URL, and the browser sent there", async () => {
    const { open } = withGitHub();
    const { client, fetch } = open();
    const url = client.oauth.signInURL("github", { redirectTo: "/dashboard?tab=1" });
    expect(url).toBe(`${BASE_URL}/auth/oauth/github?redirectTo=%2Fdashboard%3Ftab%3D1`);
    expect(createClient().oauth.signInURL("git hub")).toBe("/auth/oauth/git%20hub");
    // What the browser meets there: the provider's authorization page, with the state cookie.
    const started = await fetch(url, { redirect: "manual" });
    expect(started.status).toBe(302);
    expect(started.headers.get("location")).toMatch(
      /^https:\/\/github\.com\/login\/oauth\/authorize\?/,
    );

    const visited: string[] = [];
    const page = { origin: "https://elsewhere.example", assign: (to: string) => visited.push(to) };
    vi.stubGlobal("location", page);
    try {
      client.oauth.signIn("github", { redirectTo: "/welcome" });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(visited).toEqual([`${BASE_URL}/auth/oauth/github?redirectTo=%2Fwelcome`]);
  });

  it("links from the account with step-up, lists and unlinks identities", async () => {
    const { auth, clock, open } = withGitHub();
    const { client } = open();
    const { user } = await client.signUp({ email: "ada@example.com", password: PASSWORD });
    const { url } = await client.oauth.link("github", { redirectTo: "/settings" });
    expect(url).toMatch(/^https:\/\/github\.com\/login\/oauth\/authorize\?/);
    // An old session must prove itself first.
    clock.advance(11 * 60);
    const stale = await failure(client.oauth.link("github"));
    expect(stale).toMatchObject({ code: "reauthentication_required", status: 403 });
    expect((await client.oauth.link("github", { currentPassword: PASSWORD })).url).toMatch(
      /^https:\/\/github\.com\//,
    );

    expect(await client.oauth.accounts()).toEqual([]);
    await auth.storage.accounts?.create({
      id: "acct-1",
      provider: "github",
      subject: "42",
      userId: user.id,
      email: "ada@users.noreply.github.com",
      tokens: null,
      createdAt: new Date(),
    });
    expect(await client.oauth.accounts()).toEqual([
      {
        id: "acct-1",
        provider: "github",
        email: "ada@users.noreply.github.com",
        createdAt: expect.any(String),
      },
    ]);
    await client.oauth.unlink("acct-1");
    expect(await client.oauth.accounts()).toEqual([]);
    expect(await failure(client.oauth.unlink("acct-1"))).toMatchObject({ code: "not_found" });
  });

  it("reads the error a refused sign-in came back with", () => {
    const { oauth } = createClient();
    expect(oauth.callbackError("https://app.example.com/?error=account_exists")).toBe(
      "account_exists",
    );
    expect(oauth.callbackError("/dashboard?tab=1")).toBeNull();
    expect(oauth.callbackError("/dashboard?error=")).toBeNull();
    vi.stubGlobal("location", { href: "https://app.example.com/sign-in?error=unavailable" });
    try {
      expect(oauth.callbackError()).toBe("unavailable");
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
