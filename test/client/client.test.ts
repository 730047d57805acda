/**
 * `portcullis/client` against a real `auth.handler`: the client's `fetch` is the handler behind
 * a tiny browser (a cookie jar, and the app's `Origin` on state-changing requests, as a browser
 * on the app's own page sends it).
 */
import { describe, expect, it } from "vitest";
import {
  createClient,
  isPortcullisClientError,
  PortcullisClientError,
  type PortcullisErrorCode,
} from "../../adapters/client/index.js";
import { BASE_URL, makeAuth, PASSWORD } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
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
    expect(signedIn.user.id).toBe(signedUp.user.id);
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
    const { user } = await client.signIn({
      email: "ada@example.com",
      password: "a new passphrase",
    });
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
    const { user } = await client.magicLink.verifyCode({
      email: "ada@example.com",
      code: code as string,
    });
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
    expect(signedIn.user.email).toBe("ada@example.com");
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
