import { describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/index.js";
import { call, expectSignedIn, PASSWORD, registered } from "../helpers.js";
import {
  loginOptions,
  passkeyAuth,
  passkeyLogin,
  sessionCookieFrom,
  softAuthenticator,
  userWithPasskey,
} from "./helpers.js";

describe("adding a passkey", () => {
  it("gives a signed-in user discoverable creation options for this RP, then stores the passkey", async () => {
    const auth = passkeyAuth();
    const account = await registered(auth);
    const { status, json } = await call(auth, "POST", "/auth/passkey/register/options", {
      cookie: account.cookie,
    });
    expect(status).toBe(200);
    expect(json?.rp).toEqual({ id: "localhost", name: "localhost" });
    expect(json?.user.name).toBe("ada@example.com");
    expect(json?.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "preferred",
    });
    expect(json?.attestation).toBe("none");
    expect(json?.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7, -257]);
    expect(json?.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const authenticator = softAuthenticator();
    const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
      cookie: account.cookie,
      body: authenticator.create(json as never),
    });
    expect(verify.status).toBe(201);
    expect(verify.json?.passkey).toMatchObject({
      name: null,
      transports: ["internal"],
      deviceType: "multiDevice",
      backedUp: true,
      lastUsedAt: null,
      createdFrom: { ip: null, userAgent: null },
    });
    expect(verify.json?.passkey).not.toHaveProperty("publicKey");
    const list = await call(auth, "GET", "/auth/passkeys", { cookie: account.cookie });
    expect(list.json?.passkeys.map((p: { id: string }) => p.id)).toEqual([verify.json?.passkey.id]);
  });

  it("requires a session when passkey sign-up is off", async () => {
    const { status, json } = await call(passkeyAuth(), "POST", "/auth/passkey/register/options");
    expect(status).toBe(401);
    expect(json?.error.code).toBe("unauthenticated");
  });

  it("excludes the user's existing passkeys from new creation options", async () => {
    const auth = passkeyAuth();
    const { cookie, passkey } = await userWithPasskey(auth);
    const { json } = await call(auth, "POST", "/auth/passkey/register/options", { cookie });
    expect(json?.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([passkey.id]);
  });
});

describe("signing in with a passkey", () => {
  it("signs in without an email (discoverable) and issues a session like a password login", async () => {
    const auth = passkeyAuth();
    const { authenticator, user, passkey } = await userWithPasskey(auth);
    const options = await loginOptions(auth);
    expect(options).not.toHaveProperty("allowCredentials.0");
    const result = await passkeyLogin(auth, authenticator.get(options));
    expect(result.status).toBe(200);
    expect(result.json?.user.id).toBe(user.id);
    const setCookie = result.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^portcullis\.session=/);
    expect(setCookie).toContain("HttpOnly");
    const session = await call(auth, "GET", "/auth/session", {
      cookie: sessionCookieFrom(result.response),
    });
    expect(session.json?.user.email).toBe("ada@example.com");
    const stored = await auth.storage.passkeys.findById(passkey.id);
    expect(stored?.counter).toBe(1);
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("ends the session the browser presented before signing in (fixation)", async () => {
    const auth = passkeyAuth();
    const { authenticator, cookie } = await userWithPasskey(auth);
    const result = await passkeyLogin(auth, authenticator.get(await loginOptions(auth)), cookie);
    expect(result.status).toBe(200);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
  });

  it("with an email, lists no credentials and signs in that account (see hinted-login.test.ts)", async () => {
    const auth = passkeyAuth();
    const { authenticator, user } = await userWithPasskey(auth);
    const options = await loginOptions(auth, { email: "ADA@example.com" });
    expect(options).not.toHaveProperty("allowCredentials.0");
    const result = await passkeyLogin(auth, authenticator.get(options));
    expect(result.status).toBe(200);
    expect(result.json?.user.id).toBe(user.id);
  });

  it("refuses a passkey of another account in an email-hinted ceremony", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    await userWithPasskey(auth, undefined, "bob@example.com");
    const options = (await loginOptions(auth, { email: "bob@example.com" })) as {
      allowCredentials: unknown;
    };
    // Ada's authenticator answers a challenge that was issued for Bob.
    const forged = ada.authenticator.get({ ...options, allowCredentials: [] } as never);
    const result = await passkeyLogin(auth, forged);
    expect(result.status).toBe(401);
  });

  it("refuses an unverified account when email verification is required, like a password login", async () => {
    // Registration opens no session while verification is required, so the passkey is added
    // first and the requirement switched on afterwards, over the same storage.
    const storage = memoryStorage();
    const { authenticator, user } = await userWithPasskey(passkeyAuth({ storage }));
    const auth = passkeyAuth({ storage, emailVerification: { required: true } });
    const refused = await passkeyLogin(auth, authenticator.get(await loginOptions(auth)));
    expect(refused.status).toBe(403);
    expect(refused.json?.error.code).toBe("email_not_verified");
    await auth.storage.users.update(user.id, { emailVerified: true, updatedAt: new Date() });
    const allowed = await passkeyLogin(auth, authenticator.get(await loginOptions(auth)));
    expect(allowed.status).toBe(200);
  });

  it("counts passkey sign-ins per IP", async () => {
    const auth = passkeyAuth({ rateLimit: { perIP: { max: 2, window: 60 } } });
    for (let i = 0; i < 2; i++) {
      const ok = await call(auth, "POST", "/auth/passkey/login/options", {
        clientIP: "203.0.113.9",
      });
      expect(ok.status).toBe(200);
    }
    const limited = await call(auth, "POST", "/auth/passkey/login/options", {
      clientIP: "203.0.113.9",
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("auth.api passkey functions", () => {
  it("run every ceremony and management step without HTTP", async () => {
    const auth = passkeyAuth();
    const { user } = await auth.api.register({ email: "ada@example.com", password: PASSWORD });
    const authenticator = softAuthenticator();
    const creation = await auth.api.passkeyRegistrationOptions(user.id);
    const passkey = await auth.api.verifyPasskeyRegistration(user.id, {
      response: authenticator.create(creation),
      name: "Phone",
    });
    const request = await auth.api.passkeyLoginOptions({ email: "ada@example.com" });
    const signedIn = expectSignedIn(await auth.api.verifyPasskeyLogin(authenticator.get(request)));
    expect(signedIn.user.id).toBe(user.id);
    expect((await auth.api.getSession(signedIn.token))?.user.id).toBe(user.id);
    expect((await auth.api.renamePasskey(user.id, passkey.id, "Old phone")).name).toBe("Old phone");
    await auth.api.deletePasskey(user.id, passkey.id);
    expect(await auth.api.listPasskeys(user.id)).toEqual([]);
    await expect(auth.api.deletePasskey(user.id, passkey.id)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
